import factory

from onsite.core.tests.factories import AreaTypeFactory, CenterFactory
from onsite.standards.models import (
    Clause,
    Item,
    ItemFiling,
    ItemRule,
    Pillar,
    Standard,
    StandardVersion,
)


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Standard
        django_get_or_create = ("area_type",)

    center = factory.SubFactory(CenterFactory)
    area_type = factory.SubFactory(AreaTypeFactory, center=factory.SelfAttribute("..center"))
    title = "前台执行标准"


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StandardVersion

    center = factory.SubFactory(CenterFactory)
    standard = factory.SubFactory(StandardFactory, center=factory.SelfAttribute("..center"))
    number = factory.Sequence(lambda n: n + 1)
    status = StandardVersion.Status.DRAFT


class ClauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clause

    standard_version = factory.SubFactory(VersionFactory)
    center = factory.SelfAttribute("standard_version.center")
    code = factory.Sequence(lambda n: f"C{n:02d}")
    pillar = Pillar.SORT
    text = factory.Sequence(lambda n: f"台面无多余物品{n}")
    check_method = "目视检查"


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item
        django_get_or_create = ("center", "code")

    center = factory.SubFactory(CenterFactory)
    code = factory.Sequence(lambda n: f"item{n}")
    name = factory.Sequence(lambda n: f"物品{n}")


class ItemRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemRule

    standard_version = factory.SubFactory(VersionFactory)
    center = factory.SelfAttribute("standard_version.center")
    item = factory.SubFactory(ItemFactory, center=factory.SelfAttribute("..center"))
    kind = ItemRule.Kind.ALLOWED
    max_quantity = 1


class ItemFilingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemFiling

    zone = factory.SubFactory("onsite.core.tests.factories.ZoneFactory")
    center = factory.SelfAttribute("zone.center")
    item = factory.SubFactory(ItemFactory, center=factory.SelfAttribute("..center"))
    quantity = 1
    reason = "业务需要"
    valid_from = factory.Faker("past_date")
    valid_to = factory.Faker("future_date")
