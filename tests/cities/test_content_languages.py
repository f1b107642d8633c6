"""Pages that show content we wrote show it in the reader's language; what users typed, as typed."""

import pytest

from cities.models import Office
from criteria.models import Assessment, CriterionResponse

pytestmark = pytest.mark.django_db


def test_office_page_in_portuguese_shows_our_description_and_summaries(client):
    office = Office.objects.get(slug="oakland-dvp")
    page = client.get(office.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="pt-br").content.decode()
    assert "Departamento de Prevenção da Violência" in page
    assert "adota uma abordagem de saúde pública" in page
    assert "takes a public health approach" not in page
    assert "Parte 3, Critério 1, n. 21" in page  # its sources, cited in Portuguese


def test_city_page_in_spanish_shows_our_context_and_citations(client):
    page = client.get("/cities/cali/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "La tercera ciudad más poblada de Colombia" in page
    assert "third-most-populous" not in page
    assert "PiOC 2024, Parte 4, La coordinación en Cali, n. 54" in page


def test_part4_assessment_page_in_spanish_and_an_edited_cell_as_typed(client):
    cali = Assessment.objects.get(city__slug="cali", round__code="2023")
    response = CriterionResponse.objects.get(assessment=cali, criterion__number=2)
    response.current_strengths = "Typed by an editor, kept in English."
    response.language = "en"
    response.save()
    page = client.get(cali.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Ecosistema de prevención de la violencia de Cali (SPCC y SSJ)" in page
    assert "Cada una de las dos secretarías tiene su propio mandato" in page
    assert "Each of the two secretariats" not in page
    assert '<td lang="en">Typed by an editor, kept in English.</td>' in page
    assert "Los diagnósticos se elaboran de manera incluyente" not in page
