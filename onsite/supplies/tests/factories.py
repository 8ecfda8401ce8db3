import factory

from onsite.core.tests.factories import CenterFactory
from onsite.supplies.models import Supply


class SupplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supply

    center = factory.SubFactory(CenterFactory)
    code = factory.Sequence(lambda n: f"s{n:03d}")
    name = factory.Sequence(lambda n: f"物资{n}")
    category = Supply.Category.STATIONERY
    measure = "个"
    unit_price = "10.00"
    on_hand = 50
    min_level = 5
    max_level = 100
