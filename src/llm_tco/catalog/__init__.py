"""Catalogs shipped as TOML data: models, GPUs, rental offers, API prices,
currency rates and measured sweeps. A user file may add or override entries.
"""

from llm_tco.catalog._load import Catalog, load_catalog
from llm_tco.catalog._schema import (
    ApiPrice,
    Fx,
    Gpu,
    Model,
    Offer,
    SweepEntry,
    SweepLevelRow,
)

__all__ = [
    "ApiPrice",
    "Catalog",
    "Fx",
    "Gpu",
    "Model",
    "Offer",
    "SweepEntry",
    "SweepLevelRow",
    "load_catalog",
]
