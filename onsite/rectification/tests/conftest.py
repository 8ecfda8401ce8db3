import pytest

from onsite.inspections.tests.conftest import (  # noqa: F401 - fixtures shared with inspections
    inspect,
    other_supervisor,
    other_zone,
    owner,
    zone,
)
from onsite.rectification.models import Rectification


@pytest.fixture
def rectification(zone, supervisor):  # noqa: F811 - the imported fixture, by name
    inspect(zone, supervisor, fail=("clause:C01",))
    return Rectification.objects.select_related("zone", "finding__inspection").get()
