import factory

from onsite.accounts.models import RoleGrant, User
from onsite.core.models import Center
from onsite.org.models import AreaType, Floor, Group, Unit, Zone


class CenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Center
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"c{n}")
    name = factory.Sequence(lambda n: f"第{n}行政服务中心")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    center = factory.SubFactory(CenterFactory)
    code = factory.Sequence(lambda n: f"w{n:03d}")
    name = factory.Sequence(lambda n: f"窗口{n}")
    kind = Unit.Kind.WINDOW
    department = "市场监管"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    center = factory.SubFactory(CenterFactory)
    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"员工{n}")
    password = factory.django.Password("pw-Onsite-2026")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            RoleGrant.objects.create(user=self, role=role)


class FloorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Floor

    center = factory.SubFactory(CenterFactory)
    name = factory.Sequence(lambda n: f"{n}楼")
    level = factory.Sequence(lambda n: n + 1)


class AreaTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AreaType
        django_get_or_create = ("center", "code")

    center = factory.SubFactory(CenterFactory)
    code = "counter"
    name = "前台"


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    center = factory.SubFactory(CenterFactory)
    code = factory.Sequence(lambda n: f"z{n:03d}")
    name = factory.Sequence(lambda n: f"区域{n}")
    area_type = factory.SubFactory(AreaTypeFactory, center=factory.SelfAttribute("..center"))
    unit = factory.SubFactory(UnitFactory, center=factory.SelfAttribute("..center"))


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    center = factory.SubFactory(CenterFactory)
    kind = Group.Kind.WORKING
    name = factory.Sequence(lambda n: f"第{n}工作组")
    code = factory.Sequence(lambda n: f"g{n:03d}")
