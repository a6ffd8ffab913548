"""Build one report document from engine results, then render it.

The document (see ``docs/report-json.md``) is plain JSON-able data; the
terminal, Markdown and HTML renderers all read the same document, so they
cannot disagree. Heavy renderers are imported only when asked for.
"""

from llm_tco.report.model import PricingInputs, build_report

__all__ = ["PricingInputs", "build_report"]
