"""Announcement texts for the local EDGAR, written for it (invented companies' wording)."""

from __future__ import annotations

from typing import Final

LEASE_8K: Final = """<html><body>
<p>UNITED STATES SECURITIES AND EXCHANGE COMMISSION — FORM 8-K — CURRENT REPORT</p>
<p>Item 1.01 Entry into a Material Definitive Agreement.</p>
<p>On March 2, 2026, the Company entered into a lease agreement with Fluidstack for 168 MW of
critical IT capacity at its Barber Lake campus. The lease has an initial term of 10 years and
about $3.8 billion of contracted revenue over that term. Google has agreed to backstop
Fluidstack's lease obligations. The tenant will deploy high-performance computing (HPC)
clusters for AI training.</p>
<p>Item 9.01 Financial Statements and Exhibits. Exhibit 99.1 Press release.</p>
</body></html>"""

LEASE_EX99: Final = """<html><body>
<p>The Company announces a 10-year AI hosting agreement with a hyperscaler tenant</p>
<p>The colocation agreement covers 168 MW of critical IT load, energised in phases through
2027, for total contract value of approximately $3.8 billion.</p>
</body></html>"""

ROUTINE_8K: Final = """<html><body>
<p>FORM 8-K — Item 5.07 Submission of Matters to a Vote of Security Holders.</p>
<p>At the annual meeting the stockholders elected each nominee for director and ratified the
appointment of the independent registered public accounting firm.</p>
</body></html>"""
