"""The cost engine: pure functions from numbers to numbers, no I/O.

Every input may be a range (:class:`~llm_tco.money.Span`) and every result is
one. Amounts are in one currency, chosen by the caller, which converts prices
before calling and says so; results carry the unit in their field names.
"""

from llm_tco.cost.api import ApiCost, TokenVolume, api_cost, token_volume
from llm_tco.cost.ownership import OwnershipCost, electricity_per_year, ownership_cost
from llm_tco.cost.rent import (
    RentCost,
    compute_hours,
    cost_per_1m_tokens,
    rent_cost,
)
from llm_tco.cost.staff import StaffCost, staff_cost

__all__ = [
    "ApiCost",
    "OwnershipCost",
    "RentCost",
    "StaffCost",
    "TokenVolume",
    "api_cost",
    "compute_hours",
    "cost_per_1m_tokens",
    "electricity_per_year",
    "ownership_cost",
    "rent_cost",
    "staff_cost",
    "token_volume",
]
