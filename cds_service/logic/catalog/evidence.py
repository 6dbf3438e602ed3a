"""The guidelines and trials the rules cite (docs/clinical-evidence-and-codes.md §1, §6).

``verified`` is ``True`` only where the source text itself was read (a trial abstract,
the guideline page, or a verbatim copy of the guideline document). On 2026-12-02 the
unverified entries were re-checked with the document search tools: the ACR criteria were
read and are now verified; NICE NG234's imaging and corticosteroid recommendations, the
SINS paper and the IKNL unknown-primary module could only be read through secondary
sources, so they stay unverified and each citation says what was and was not read.
"""

from __future__ import annotations

from ..provenance import Provenance

IKNL_IMAGING = Provenance(
    source="Dutch guideline Wervelmetastasen (IKNL 2015), module Beeldvormend onderzoek",
    citation="IKNL. Richtlijn Wervelmetastasen 1.0, 2015; Bollen L et al. Eur J Cancer 2018;104:81-90",
    url="https://richtlijnendatabase.nl/richtlijn/wervelmetastasen/diagnostiek/beeldvormend_onderzoek.html",
    version="1.0 (2015)",
    evidence="Five MRI time tiers (12 h, 24 h, 48 h, 1 week, 2 weeks) by neurology; sagittal T1 and T2 of the whole spine.",
    verified=True,
    profile="dutch",
)
IKNL_STEROIDS = Provenance(
    source="Dutch guideline Wervelmetastasen (IKNL 2015), module Corticosteroiden",
    citation="IKNL 2015; Vecht 1989; Heimdal 1992 (J Neurooncol 12:141); Sorensen 1994 (Eur J Cancer 30A:22)",
    url="https://richtlijnendatabase.nl/richtlijn/wervelmetastasen/behandeling/corticosteroiden.html",
    version="1.0 (2015)",
    evidence="96-100 mg/day is not better than 16 mg/day and has more serious adverse events; no benefit without neurological deficit (Maranzano 1996).",
    verified=True,
)
NICE_NG234 = Provenance(
    source="NICE NG234 Spinal metastases and metastatic spinal cord compression",
    citation=(
        "NICE guideline NG234, 2023. Read on nice.org.uk: recs 1.1.1-1.1.2 (care pathways, "
        "prospective audit). Rec 1.8.1 (16 mg oral dexamethasone as soon as possible, then 16 mg "
        "daily until surgery or radiotherapy) read only as quoted by third parties; the imaging "
        "recommendations (whole-spine MRI within 24 h with neurological symptoms or signs, within "
        "1 week for pain alone; no plain X-ray) only in secondary summaries"
    ),
    url="https://www.nice.org.uk/guidance/ng234/chapter/recommendations",
    version="2023",
    evidence="Whole-spine MRI within 24 h with neurological symptoms or signs, within 1 week for pain alone; 16 mg dexamethasone; no plain X-ray to diagnose or exclude MSCC.",
    verified=False,
    profile="nice",
)
ACR_MYELOPATHY = Provenance(
    source="ACR Appropriateness Criteria Myelopathy",
    citation=(
        "ACR AC Myelopathy, revised 2020, variants 1 (acute onset) and 2 (chronic or progressive), "
        "read in a verbatim copy of the ACR document; Roth CJ et al. JACR 2016"
    ),
    url="https://docslib.org/doc/4305600/acr-appropriateness-criteria%C2%AE-myelopathy",
    version="rev. 2020",
    evidence="MRI without, and without and with, IV contrast usually appropriate; CT myelography may be appropriate; radiography usually not appropriate.",
    verified=True,
)
PATCHELL_2005 = Provenance(
    source="Patchell 2005 randomised trial (surgery + RT vs RT)",
    citation="Patchell RA et al. Lancet 2005;366:643-648. doi:10.1016/S0140-6736(05)66954-1",
    url="https://pubmed.ncbi.nlm.nih.gov/16112300/",
    version="2005",
    evidence="Walking after treatment 84 % vs 57 % with decompressive surgery plus radiotherapy (non-radiosensitive tumours, not paraplegic > 48 h).",
    verified=True,
)
SINS_FISHER_2010 = Provenance(
    source="Spinal Instability Neoplastic Score (SINS)",
    citation=(
        "Fisher CG et al. Spine 2010;35(22):E1221-E1229; Fourney DR et al. JCO 2011;29(22). "
        "The score bands and the SINS >= 7 consultation threshold were read only in secondary "
        "summaries, not in the papers"
    ),
    url="https://doi.org/10.1097/BRS.0b013e3181e16ae2",
    version="2010",
    evidence="SINS 0-6 stable, 7-12 potentially unstable, 13-18 unstable; surgical consultation for SINS >= 7.",
    verified=False,
)
NOMS_2013 = Provenance(
    source="NOMS decision framework",
    citation="Laufer I et al. Oncologist 2013;18(6). doi:10.1634/theoncologist.2012-0293",
    url="https://doi.org/10.1634/theoncologist.2012-0293",
    version="2013",
    evidence="Radiosensitive histologies (lymphoma, myeloma) are treated with conventional radiotherapy regardless of compression grade when stable.",
    verified=True,
)
CEPO_2012 = Provenance(
    source="CEPO guideline on metastatic spinal cord compression",
    citation="L'Esperance S et al. Curr Oncol 2012;19:e478-e490 (PMC3503678)",
    url="https://pmc.ncbi.nlm.nih.gov/articles/PMC3503678/",
    version="2012",
    evidence="Dexamethasone 16 mg daily when MSCC is suspected, no high loading dose; histology and stability before treatment; RT with steroids and chemotherapy for myeloma and lymphoma without instability.",
    verified=True,
)
IKNL_UNKNOWN_PRIMARY = Provenance(
    source="Dutch guideline Wervelmetastasen (IKNL 2015), module Diagnostiek bij onduidelijke origine",
    citation=(
        "IKNL 2015; Wanman J et al. Acta Orthop 2017;88:457 (PMID 28492105). The Wanman abstract "
        "was read (10 of 69 remained of unknown primary); the IKNL module itself was not"
    ),
    url="http://palliaweb.nl/richtlijnen-palliatieve-zorg/richtlijn/wervelmetastasen",
    version="1.0 (2015)",
    evidence="MSCC is the first sign of cancer in many patients (10 of 69 remained of unknown primary); obtain tissue before non-surgical definitive treatment.",
    verified=False,
)
