"""Citations of the source documents in the reader's language.

Seed records cite their sources in a fixed grammar (`fixtures/SCHEMA.md`): references separated
by "; ", each a document short name followed by ", "-separated parts — "Part 3", "Criterion 1",
a section title, an endnote "n. 36" — for example
"PiOC 2024, Part 3, Criterion 6, n. 36; PiOC Symposium 2023, Part III: Symposium Recap".
`translate_citation` rebuilds each part in the reader's language ("Parte 3, Criterio 6, n. 36");
section titles of the source documents come from the table below. A part it does not know is
left as it is and reported by `unknown_parts`, so a test can keep every seeded citation covered.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language

# Document short names.
DOCUMENTS = {
    "PiOC 2024": {"es": "PiOC 2024", "pt-br": "PiOC 2024"},
    "PiOC Symposium 2023": {"es": "Simposio PiOC 2023", "pt-br": "Simpósio PiOC 2023"},
    "PiOC Two-Year Review": {"es": "Balance de dos años de PiOC",
                             "pt-br": "Balanço de dois anos da PiOC"},
    "Vera 2023": {"es": "Vera 2023", "pt-br": "Vera 2023"},
    "Forum write-up": {"es": "Reseña del foro", "pt-br": "Relato do fórum"},
}

# Section titles of the source documents.
SECTIONS = {
    "A Closer Look: Oakland's Department of Violence Prevention": {
        "es": "Una mirada más de cerca: el Departamento de Prevención de la Violencia de Oakland",
        "pt-br": "Um olhar mais de perto: o Departamento de Prevenção da Violência de Oakland",
    },
    "About": {"es": "Acerca de", "pt-br": "Sobre"},
    "Accompany": {"es": "Acompañar", "pt-br": "Acompanhar"},
    "Adapting Lessons to PiOC Members": {
        "es": "Adaptar las lecciones a los miembros de PiOC",
        "pt-br": "Adaptar as lições aos membros da PiOC",
    },
    "Appendix": {"es": "Apéndice", "pt-br": "Apêndice"},
    "Balance Specificity and Comprehensiveness": {
        "es": "Equilibrar especificidad y amplitud",
        "pt-br": "Equilibrar especificidade e abrangência",
    },
    "Bringing Evidence to Action: The Peace Incentive Fund": {
        "es": "De la evidencia a la acción: el Fondo de Incentivo para la Paz",
        "pt-br": "Da evidência à ação: o Fundo de Incentivo à Paz",
    },
    "Bristol's Momentum": {"es": "El impulso de Bristol", "pt-br": "O impulso de Bristol"},
    "Cali's Coordination": {"es": "La coordinación en Cali", "pt-br": "A coordenação em Cali"},
    "Civilian Leadership Is Crucial": {
        "es": "El liderazgo civil es crucial", "pt-br": "A liderança civil é crucial",
    },
    "Concluding Observations": {"es": "Observaciones finales", "pt-br": "Observações finais"},
    "Definition and Rationale of Criteria": {
        "es": "Definición y fundamento de los criterios",
        "pt-br": "Definição e fundamentação dos critérios",
    },
    "Differences between US OVPs and Non-US Offices": {
        "es": "Diferencias entre las OVP de EE. UU. y las oficinas de otros países",
        "pt-br": "Diferenças entre as OVPs dos EUA e os escritórios de outros países",
    },
    "Edmonton's Leadership": {"es": "El liderazgo de Edmonton", "pt-br": "A liderança de Edmonton"},
    "How to Set Up Offices for Success": {
        "es": "Cómo preparar las oficinas para el éxito",
        "pt-br": "Como preparar os escritórios para o sucesso",
    },
    "Ensure Resources Meet Ambition": {
        "es": "Que los recursos estén a la altura de la ambición",
        "pt-br": "Recursos à altura da ambição",
    },
    "Ensure Sufficient Autonomy": {
        "es": "Garantizar suficiente autonomía", "pt-br": "Garantir autonomia suficiente",
    },
    "Increase Political and Societal Buy-In to Ensure Sustainability": {
        "es": "Ampliar el respaldo político y social para asegurar la sostenibilidad",
        "pt-br": "Ampliar o apoio político e social para garantir a sustentabilidade",
    },
    "Introduction": {"es": "Introducción", "pt-br": "Introdução"},
    "Key Takeaways": {"es": "Conclusiones clave", "pt-br": "Principais conclusões"},
    "Learn More": {"es": "Más información", "pt-br": "Saiba mais"},
    "Palmira Members-Only Retreat": {
        "es": "Retiro exclusivo para miembros en Palmira",
        "pt-br": "Retiro exclusivo para membros em Palmira",
    },
    "Provide Adequate Resources and Staffing": {
        "es": "Dotar a la oficina de recursos y personal suficientes",
        "pt-br": "Dotar o escritório de recursos e pessoal suficientes",
    },
    "Rosario's Opportunity": {"es": "La oportunidad de Rosario",
                              "pt-br": "A oportunidade de Rosario"},
    "Sample and Subsample Selection": {
        "es": "Selección de la muestra y la submuestra",
        "pt-br": "Seleção da amostra e da subamostra",
    },
    "Symposium Recap": {"es": "Resumen del simposio", "pt-br": "Resumo do simpósio"},
    "Symposium Recap (Medellín Symposium)": {
        "es": "Resumen del simposio (Simposio de Medellín)",
        "pt-br": "Resumo do simpósio (Simpósio de Medellín)",
    },
    # Not a section title: the review's unnumbered first page, named after its publisher.
    "opening page (Peace in Our Cities)": {
        "es": "página de apertura (Peace in Our Cities)",
        "pt-br": "página de abertura (Peace in Our Cities)",
    },
}

WORDS = {
    "Part": {"es": "Parte", "pt-br": "Parte"},
    "Criterion": {"es": "Criterio", "pt-br": "Critério"},
    "and": {"es": "y", "pt-br": "e"},
}

# Whole references that do not follow the grammar (a parenthetical inside them).
WHOLE = {
    "PiOC 2024, Part 4, Cali's Coordination (2.3 million; no year given)": {
        "es": "PiOC 2024, Parte 4, La coordinación en Cali (2,3 millones; sin año)",
        "pt-br": "PiOC 2024, Parte 4, A coordenação em Cali (2,3 milhões; sem ano)",
    },
    "PiOC 2024, Part 3, Criterion 9, n. 43 (Instituto Cidade Segura, August 12, 2021)": {
        "es": "PiOC 2024, Parte 3, Criterio 9, n. 43 (Instituto Cidade Segura, 12 de agosto "
              "de 2021)",
        "pt-br": "PiOC 2024, Parte 3, Critério 9, n. 43 (Instituto Cidade Segura, 12 de agosto "
                 "de 2021)",
    },
}

_PART = re.compile(r"^Part (\d+|[IVX]+)(?:: (.+))?$")
_PARTS = re.compile(r"^Part (\d+|[IVX]+) and Part (\d+|[IVX]+)$")
_CRITERION = re.compile(r"^Criterion (\d+)$")
_ENDNOTE = re.compile(r"^n\. \d+(?:[-–]\d+)?$")


def _language(lang):
    lang = (lang or get_language() or "en").lower()
    return "en" if lang.split("-")[0] == "en" else lang


def _part(segment, lang):
    """(translated segment, known?) of one ", "-separated part."""
    if segment in DOCUMENTS:
        return DOCUMENTS[segment].get(lang, segment), True
    if segment in SECTIONS:
        return SECTIONS[segment].get(lang, segment), True
    if _ENDNOTE.match(segment):
        return segment, True
    if m := _PARTS.match(segment):
        word, conj = WORDS["Part"][lang], WORDS["and"][lang]
        return f"{word} {m[1]} {conj} {word} {m[2]}", True
    if m := _CRITERION.match(segment):
        return f"{WORDS['Criterion'][lang]} {m[1]}", True
    if m := _PART.match(segment):
        text = f"{WORDS['Part'][lang]} {m[1]}"
        if m[2] is None:
            return text, True
        title, known = _part(m[2], lang)
        return f"{text}: {title}", known and m[2] in SECTIONS
    return segment, False


def _translate(text, lang):
    # Whole references first: they may hold "; " or ", " inside their parentheses.
    wholes = [key for key in WHOLE if key in text]
    for i, key in enumerate(wholes):
        text = text.replace(key, f"\x00{i}\x00")
    unknown = []
    refs = []
    for ref in text.split("; "):
        if m := re.fullmatch(r"\x00(\d+)\x00", ref):
            key = wholes[int(m[1])]
            refs.append(WHOLE[key].get(lang, key))
            continue
        parts = []
        for segment in ref.split(", "):
            translated, known = _part(segment, lang)
            parts.append(translated)
            if not known:
                unknown.append(segment)
        refs.append(", ".join(parts))
    return "; ".join(refs), unknown


def translate_citation(text: str, lang: str | None = None) -> str:
    """`text`, a citation in the seed grammar, for a reader of `lang` (default: active)."""
    lang = _language(lang)
    if not text or lang == "en" or lang not in WORDS["Part"]:
        return text or ""
    return _translate(text, lang)[0]


def unknown_parts(text: str, lang: str) -> list[str]:
    """The parts of `text` that `translate_citation` leaves in English for `lang`."""
    return _translate(text, lang)[1]
