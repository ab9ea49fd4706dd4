import pytest

from tests.factories.accounts import StructureFactory
from tests.factories.pathways import library, pathway_index


@pytest.fixture
def structures():
    """Two structures that write content, with the library and the pathways' index."""
    library()
    pathway_index()
    return (
        StructureFactory(name="Incubateur Alpha", slug="alpha"),
        StructureFactory(name="Couveuse Bêta", slug="beta"),
    )
