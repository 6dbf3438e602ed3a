"""The code-system URLs the service reads and writes, named once.

Each is the canonical ``Coding.system`` URI of HL7 FHIR R4 (terminology.hl7.org).
"""

from __future__ import annotations

SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CPT = "http://www.ama-assn.org/go/cpt"
RADELEMENT = "http://radelement.org"
UCUM = "http://unitsofmeasure.org"
#: The base of HL7's own CodeSystems (``condition-clinical``, ``v3-ActCode`` ...).
HL7_TERMINOLOGY = "http://terminology.hl7.org/CodeSystem/"
V3_INTERPRETATION = HL7_TERMINOLOGY + "v3-ObservationInterpretation"
