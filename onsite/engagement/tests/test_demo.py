from onsite.core.tests.factories import UnitFactory, UserFactory
from onsite.engagement import demo, services
from onsite.engagement.models import Post, PostReading, SuggestionCall


def test_the_demo_has_an_open_call_and_a_half_confirmed_notice_and_runs_twice(center):
    UserFactory(center=center, username="office", roles=["office"])
    UserFactory(center=center, username="boss", roles=["leader"])
    for _window in range(2):
        window = UnitFactory(center=center, kind="window")
        for n in range(3):
            UserFactory(center=center, unit=window, roles=["staff"], username=f"s{window.pk}-{n}")
    demo.seed(center)
    demo.seed(center)
    call = SuggestionCall.objects.get(center=center, title=demo.CALL_TITLE)
    assert not call.is_closed()
    assert call.suggestions.count() == 3
    notice = Post.objects.get(center=center, title=demo.NOTICE_TITLE)
    required = services.post_readers_required(notice).count()
    assert required == 6
    assert PostReading.objects.filter(post=notice).count() == 3
