def test_the_zone_page_links_its_equipment(client_for, office_user, viewer, center):
    from onsite.core.tests.factories import ZoneFactory
    from onsite.equipment.models import Equipment

    zone = ZoneFactory(center=center, code="w09-c")
    bare = ZoneFactory(center=center, code="w10-c")
    Equipment.objects.create(center=center, zone=zone, kind=Equipment.Kind.RATING_DEVICE)
    Equipment.objects.create(center=center, zone=zone, kind=Equipment.Kind.PRINTER, is_active=False)
    client = client_for(office_user)
    page = client.get(f"/org/zones/{zone.code}/").content.decode()
    link = f"/equipment/?zone={zone.code}"
    assert link in page
    assert "使用中设备 1 台" in page
    assert client.get(link).status_code == 200
    assert (
        'data-testid="zone-equipment"'
        not in client.get(f"/org/zones/{bare.code}/").content.decode()
    )
    # A cross-center viewer reads the zone but not the register: no link that would refuse.
    assert link not in client_for(viewer).get(f"/org/zones/{zone.code}/").content.decode()
