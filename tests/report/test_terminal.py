from llm_tco.catalog import load_catalog
from llm_tco.report import PricingInputs, build_report
from llm_tco.report.terminal import render_terminal
from llm_tco.scenario import load_scenario


def default_text(*overrides: str) -> str:
    doc = build_report(
        PricingInputs(load_scenario(overrides=overrides), load_catalog())
    )
    return render_terminal(doc, width=160)


def test_terminal_report_shows_the_articles_answers() -> None:
    text = default_text()
    for figure in [
        "€1.905",  # API per night
        "€57.15",  # API per month
        "27,500,000",  # tokens per night
        "1.34 h",  # RTX compute hours
        "1.00 h",  # MI300X compute hours
        "€78.77–90.53",  # RTX rent per month
        "€61.80–74.16",  # MI300X rent per month
        "€25–100/month",  # set-up amortised
        "€75–300/month",  # ongoing staff
        "€178.77–490.53",  # RTX TCO
        "€161.80–474.16",  # MI300X TCO
        "€900–1,494",  # electricity per year
        "7,500–8,300 h/year",  # the hours of use it assumed
    ]:
        assert figure in text, figure


def test_terminal_escapes_rich_markup_from_names() -> None:
    text = default_text('scenario.name="[bold]x[/bold] & <y>"')
    assert "[bold]x[/bold] & <y>" in text
