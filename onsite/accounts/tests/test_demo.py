from onsite.accounts import demo
from onsite.accounts.demo import DEMO_PASSWORD
from onsite.accounts.models import User


def test_the_demo_has_a_system_and_a_security_admin_and_can_run_twice(center, client):
    demo.seed(center)
    demo.seed(center)
    sysadmin = User.objects.get(username="xx-sysadmin")
    secadmin = User.objects.get(username="xx-secadmin")
    assert sysadmin.roles == {"sysadmin"}
    assert secadmin.roles == {"secadmin"}
    assert secadmin.center == center
    response = client.post(
        "/accounts/login/", {"username": "xx-secadmin", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/accounts/users/").status_code == 200
