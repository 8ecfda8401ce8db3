import pytest

from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.supplies import actions
from onsite.supplies.tests.factories import SupplyFactory


@pytest.fixture
def toner(center):
    return SupplyFactory(
        center=center, code="toner", name="硒鼓", measure="个", unit_price="380.00",
        on_hand=10, min_level=3, max_level=40,
    )  # fmt: skip


@pytest.fixture
def paper(center):
    return SupplyFactory(
        center=center, code="a4-paper", name="A4复印纸", measure="包", unit_price="25.00",
        on_hand=100, min_level=20, max_level=300,
    )  # fmt: skip


@pytest.fixture
def window(staff_user):
    """The staff persona's window."""
    return staff_user.unit


@pytest.fixture
def other_window(center):
    unit = UnitFactory(center=center, code="w02", name="烟草窗口")
    UserFactory(center=center, unit=unit, username="tobacco1", roles=["staff"])
    return unit


@pytest.fixture
def approved(center, window, staff_user, office_user, toner):
    """An approved requisition of 4 toner by the staff persona's window."""

    def make(quantity=4, supply=None, unit=None, by=None):
        requisition = actions.do_request(
            center=center, unit=unit or window, by=by or staff_user,
            lines=[(supply or toner, quantity)],
        )  # fmt: skip
        return actions.do_approve(
            requisition=requisition, by=office_user, expected_version=requisition.version
        )

    return make


@pytest.fixture
def english():
    """Service messages compared in English (the catalogue is Chinese by default)."""
    from django.utils import translation

    with translation.override("en"):
        yield
