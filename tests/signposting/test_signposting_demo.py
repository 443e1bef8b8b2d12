import random
import re

from attendance.models import Person
from signposting.demo import make_demo
from signposting.models import Service, Signpost


def test_the_demo_directory_is_believable_and_fictional(org, site, site2):
    Person.objects.bulk_create(
        [Person(organisation=org, known_as=f"Person {i}") for i in range(10)]
    )
    make_demo(org, random.Random(1), 1)
    services = Service.objects.filter(organisation=org)
    assert 35 <= services.count() <= 45
    assert services.filter(is_emergency=True).count() >= 4
    assert services.stale().exists()
    fictional = re.compile(r"^(01632 960\d{3}|07700 900\d{3}|0808 157 0\d{3})$")
    for service in services:
        assert fictional.match(service.phone), service.phone
        assert service.website.endswith(".example.org/")
        assert service.categories.exists()
    signposts = Signpost.objects.filter(organisation=org)
    assert signposts.count() == 180
    assert signposts.filter(person__isnull=False).exists()
    assert signposts.filter(site=site2).exists()
    assert all(s.services.exists() for s in signposts[:20])


def test_the_demo_adds_nothing_twice(org):
    make_demo(org, random.Random(1), 1)
    make_demo(org, random.Random(2), 1)
    assert Service.objects.filter(organisation=org).count() == 41
