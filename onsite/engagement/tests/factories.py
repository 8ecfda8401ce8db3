import datetime
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from onsite.core.tests.factories import CenterFactory, UserFactory
from onsite.engagement.models import Post, Suggestion, Training


def png(name="photo.png", colour=(200, 30, 30), size=(64, 48)):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    center = factory.SubFactory(CenterFactory)
    title = factory.Sequence(lambda n: f"现场管理动态{n}")
    body = "<p>市场监管窗口完成整理阶段。</p>"


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training

    center = factory.SubFactory(CenterFactory)
    topic = factory.Sequence(lambda n: f"标准化现场管理培训{n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=10))
    ends_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=1))
    trainer_name = "省标准化协会专家"


class SuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Suggestion

    center = factory.SubFactory(CenterFactory)
    kind = Suggestion.Kind.PROPOSAL
    title = factory.Sequence(lambda n: f"改善方案{n}")
    body = "说明"
    author = factory.SubFactory(UserFactory, center=factory.SelfAttribute("..center"))
