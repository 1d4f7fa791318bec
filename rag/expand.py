"""Financial query expansion for the BM25 side: ratio names -> the line items they come from.

Statements never print "quick ratio" or "free cash flow"; they list the lines those are
computed from. `expand(query)` appends the line items of every metric the query names, so BM25
finds the table rows. Only textbook ratio and metric names are keys (no keys read off eval
questions). Measured by r13 (/work/scratch/r13/REPORT.md, BM25, FinanceBench-dev 27 questions,
plain page text, gold page in the top 6): scoped 6 -> 10/27 with these keys; on Markdown tables
9 -> 11/27. The dense query is left as asked.
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
}  # fmt: skip

_PATTERNS = {
    key: re.compile(r"(?<![\w&])" + re.escape(key) + r"(?![\w&])", re.IGNORECASE)
    for key in FINANCIAL_TERMS
}


def expansions(query: str) -> list[str]:
    """The line items of the metrics `query` names, in map order, each once, none it has."""
    found: list[str] = []
    lowered = query.lower()
    for key, pattern in _PATTERNS.items():
        if pattern.search(query):
            found.extend(t for t in FINANCIAL_TERMS[key] if t not in found and t not in lowered)
    return found


def expand(query: str) -> str:
    extra = expansions(query)
    return f"{query} ({'; '.join(extra)})" if extra else query
