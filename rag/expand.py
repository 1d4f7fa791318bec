"""Financial query expansion for the BM25 side: ratio names -> the line items they come from.

Statements never print "quick ratio" or "free cash flow"; they list the lines those are
computed from. `expand(query)` appends the line items of every metric the query names, so BM25
finds the table rows. Only textbook ratio and metric names are keys (no keys read off eval
questions). Measured by r13 (/work/scratch/r13/REPORT.md, BM25, FinanceBench-dev 27 questions,
plain page text, gold page in the top 6): scoped 6 -> 10/27 with these keys; on Markdown tables
9 -> 11/27. The dense query is left as asked. The German keys (HGB / IFRS line items:
"Eigenkapitalquote" -> Eigenkapital, Bilanzsumme) work the same way; there is no German
financial question set here to measure them on.
"""

from __future__ import annotations

import re

FINANCIAL_TERMS: dict[str, tuple[str, ...]] = {
    "gross margin": ("gross profit", "revenue", "cost of sales", "cost of products sold"),
    "operating margin": ("operating income", "income from operations", "total revenue"),
    "net margin": ("net income", "total revenue"),
    "quick ratio": ("current assets", "cash and cash equivalents", "accounts receivable",
                    "inventories", "current liabilities", "balance sheet"),
    "current ratio": ("total current assets", "total current liabilities", "balance sheet"),
    "working capital": ("total current assets", "total current liabilities", "balance sheet"),
    "ebitda": ("operating income", "depreciation", "amortization", "net income"),
    "ebit": ("operating income", "interest expense", "income before taxes"),
    "interest coverage": ("operating income", "interest expense"),
    "free cash flow": ("net cash provided by operating activities", "capital expenditures",
                       "purchases of property and equipment", "cash flows"),
    "capex": ("capital expenditures", "purchases of property and equipment"),
    "inventory turnover": ("cost of products sold", "cost of sales", "inventories"),
    "days payable outstanding": ("accounts payable", "cost of sales", "balance sheet"),
    "dpo": ("accounts payable", "cost of sales"),
    "days sales outstanding": ("accounts receivable", "revenue"),
    "effective tax rate": ("provision for income taxes", "income before income taxes",
                           "statutory rate"),
    "debt": ("long-term debt", "short-term borrowings", "total debt"),
    "roa": ("net income", "total assets"),
    "return on assets": ("net income", "total assets"),
    "roe": ("net income", "total shareholders equity"),
    "return on equity": ("net income", "total shareholders equity"),
    # German (HGB / IFRS line items)
    "eigenkapitalquote": ("eigenkapital", "bilanzsumme", "summe aktiva"),
    "fremdkapitalquote": ("verbindlichkeiten", "bilanzsumme"),
    "verschuldungsgrad": ("fremdkapital", "eigenkapital", "finanzverbindlichkeiten"),
    "nettoverschuldung": ("finanzverbindlichkeiten", "zahlungsmittel", "flüssige mittel"),
    "umsatzrendite": ("jahresüberschuss", "umsatzerlöse"),
    "ebit-marge": ("ebit", "betriebsergebnis", "umsatzerlöse"),
    "bruttomarge": ("bruttoergebnis vom umsatz", "umsatzerlöse", "umsatzkosten"),
    "eigenkapitalrendite": ("jahresüberschuss", "eigenkapital"),
    "gesamtkapitalrendite": ("jahresüberschuss", "zinsaufwendungen", "bilanzsumme"),
    "steuerquote": ("ertragsteuern", "ergebnis vor steuern"),
    "liquidität 1. grades": ("flüssige mittel", "kurzfristige verbindlichkeiten"),
    "liquidität 2. grades": ("flüssige mittel", "forderungen aus lieferungen und leistungen",
                             "kurzfristige verbindlichkeiten"),
    "liquidität 3. grades": ("umlaufvermögen", "kurzfristige vermögenswerte",
                             "kurzfristige verbindlichkeiten"),
}  # fmt: skip


def _whole(pattern: str) -> re.Pattern[str]:
    """`pattern` as whole words (a letter, digit or "&" beside it is no boundary): "ebit" is
    not found inside "ebitda"."""
    return re.compile(r"(?<![\w&])" + pattern + r"(?![\w&])", re.IGNORECASE)


_PATTERNS = {key: _whole(re.escape(key)) for key in FINANCIAL_TERMS}


def expansions(query: str) -> list[str]:
    """The line items of the metrics `query` names, in map order, each once, none it has."""
    found: list[str] = []
    lowered = query.lower()
    for key, pattern in _PATTERNS.items():
        if pattern.search(query):
            found.extend(t for t in FINANCIAL_TERMS[key] if t not in found and t not in lowered)
    return found


def metrics(query: str) -> list[str]:
    """The ratio and metric names of `FINANCIAL_TERMS` that `query` names, in map order."""
    return [key for key, pattern in _PATTERNS.items() if pattern.search(query)]


def expand(query: str) -> str:
    extra = expansions(query)
    return f"{query} ({'; '.join(extra)})" if extra else query


# --- Which primary statement a question's figures come from ---------------------------------
# A ratio's inputs sit in the primary statements, whose rows share no words with the question
# ("operating margin" is computed from "Operating income" and "Total revenue"), so retrieval
# lifts the chunks of the statement a metric comes from (`rag.retrieve.FAVOURED`). Only
# textbook metric names are keys, English and German; the statements are recognised by their
# titles in the chunk's heading path or first lines.

_STATEMENT_TITLES: dict[str, re.Pattern[str]] = {
    "income": re.compile(
        r"statements? of (?:consolidated )?(?:comprehensive )?(?:income|operations|earnings)"
        r"|income statements?|profit and loss|statements? of profit or loss"
        r"|gewinn- und verlustrechnung|\bguv\b|gesamtergebnisrechnung|erfolgsrechnung",
        re.I,
    ),
    "balance": re.compile(
        r"balance sheets?|statements? of financial (?:position|condition)|\b(?:konzern)?bilanz\b",
        re.I,
    ),
    "cash": re.compile(
        r"statements? of (?:consolidated )?cash flows?|cash flows? statements?"
        r"|kapitalflussrechnung|kapitalflußrechnung|cash-?flow-rechnung|geldflussrechnung",
        re.I,
    ),
}

METRIC_STATEMENTS: dict[str, tuple[str, ...]] = {
    # English
    "gross margin": ("income",),
    "operating margin": ("income",),
    "net margin": ("income",),
    "profit margin": ("income",),
    "quick ratio": ("balance",),
    "current ratio": ("balance",),
    "working capital": ("balance",),
    "ebitda": ("income", "cash"),
    "ebit": ("income",),
    "interest coverage": ("income",),
    "free cash ?flows?": ("cash",),
    "capex": ("cash",),
    "capital expenditures?": ("cash",),
    "capital[- ]intensive": ("cash", "balance"),
    "capital intensity": ("cash", "balance"),
    "inventory turnover": ("income", "balance"),
    "days payable outstanding": ("balance", "income"),
    "dpo": ("balance", "income"),
    "days sales outstanding": ("balance", "income"),
    "dso": ("balance", "income"),
    "effective tax rate": ("income",),
    "debt": ("balance",),
    "roa": ("income", "balance"),
    "return on assets": ("income", "balance"),
    "roe": ("income", "balance"),
    "return on equity": ("income", "balance"),
    "pp&e": ("balance",),
    "property, plant and equipment": ("balance",),
    "total assets": ("balance",),
    "revenues?": ("income",),
    "net income": ("income",),
    "net sales": ("income",),
    "balance sheets?": ("balance",),
    "cash flows? statements?": ("cash",),
    "statements? of cash flows?": ("cash",),
    "income statements?": ("income",),
    "p&l": ("income",),
    # German
    "umsatz(?:erlöse|erloese)?": ("income",),
    "bruttomarge": ("income",),
    "rohertrag": ("income",),
    "umsatzrendite": ("income",),
    "ebit-marge": ("income",),
    "jahresüberschuss": ("income",),
    "jahresfehlbetrag": ("income",),
    "steuerquote": ("income",),
    "eigenkapitalquote": ("balance",),
    "eigenkapitalrendite": ("income", "balance"),
    "gesamtkapitalrendite": ("income", "balance"),
    "verschuldung(?:sgrad)?": ("balance",),
    "nettofinanzverschuldung": ("balance",),
    "bilanzsumme": ("balance",),
    "sachanlagen": ("balance",),
    "liquidität (?:1\\.|2\\.|3\\.|ersten|zweiten|dritten) grades": ("balance",),
    "fremdkapitalquote": ("balance",),
    "nettoverschuldung": ("balance",),
    "investitionen": ("cash",),
    "free cash-?flow": ("cash",),
    "bilanz": ("balance",),
    "gewinn- und verlustrechnung": ("income",),
    "guv": ("income",),
    "kapitalflussrechnung": ("cash",),
}  # fmt: skip

_METRICS = [(_whole(key), wanted) for key, wanted in METRIC_STATEMENTS.items()]


def statements_for(query: str) -> frozenset[str]:
    """The primary statements ("income", "balance", "cash") the figures `query` names come from."""
    return frozenset(s for pattern, wanted in _METRICS if pattern.search(query) for s in wanted)


def on_statement(headings: tuple[str, ...], text: str, wanted: frozenset[str]) -> bool:
    """Whether a chunk (its heading path, or its first lines) belongs to one of `wanted`."""
    where = " / ".join(headings) + "\n" + text[:300]
    return any(_STATEMENT_TITLES[s].search(where) for s in wanted)
