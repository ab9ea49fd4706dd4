"""Administrators and the network's managers look after the structures of the network:
in Django's admin and in Wagtail's. A structure people depend on is never deleted by
mistake; each structure's managers keep their own presentation up to date."""

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.accounts.models import Structure, StructureKind
from lms.accounts.roles import Role
from lms.coaching.models import CoachingRequest
from tests.factories.accounts import StructureFactory, UserFactory, coach, learner, manager

pytestmark = pytest.mark.django_db

DEACTIVATE_INSTEAD = "décochez « active »"


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


def attach_request(structure):
    CoachingRequest.objects.create(
        learner=learner(departement="69"),
        point_id="help",
        origin="help",
        departement="69",
        structure=structure,
        due_at=timezone.now(),
    )


# --- Django's admin ---------------------------------------------------------------------


def test_an_administrator_finds_structures_by_name_kind_and_activity(client, superuser):
    StructureFactory(name="Incubateur du Rhône", kind=StructureKind.INCUBATOR)
    StructureFactory(name="CAE Drôme", kind=StructureKind.CAE, active=False)
    client.force_login(superuser)
    url = reverse("admin:accounts_structure_changelist")
    assert client.get(url, {"q": "Incubateur"}).context["cl"].result_count == 1
    assert client.get(url, {"kind__exact": "cae"}).context["cl"].result_count == 1
    assert client.get(url, {"active__exact": "0"}).context["cl"].result_count == 1


def test_an_administrator_adds_members_from_the_structure_page(client, superuser):
    structure = StructureFactory()
    client.force_login(superuser)
    response = client.get(reverse("admin:accounts_structure_change", args=[structure.pk]))
    assert response.status_code == 200
    assert "memberships-TOTAL_FORMS" in response.content.decode()


def test_deleting_a_structure_with_requests_and_coaches_is_refused_with_what_to_do(
    client, superuser
):
    structure = coach(departements=["69"]).coach_profile.structure
    attach_request(structure)
    client.force_login(superuser)
    url = reverse("admin:accounts_structure_delete", args=[structure.pk])

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "ne peut pas être supprimée" in html
    assert "1 demande d’accompagnement" in html
    assert "1 profil d’accompagnateur·rice" in html
    assert DEACTIVATE_INSTEAD in html

    assert client.post(url, {"post": "yes"}).status_code in (200, 403)
    assert Structure.objects.filter(pk=structure.pk).exists()


def test_deleting_several_structures_at_once_is_refused_the_same_way(client, superuser):
    held = coach(departements=["69"]).coach_profile.structure
    free = StructureFactory()
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_structure_changelist"),
        {"action": "delete_selected", "_selected_action": [held.pk, free.pk]},
    )
    assert response.status_code == 200
    assert DEACTIVATE_INSTEAD in response.content.decode()
    assert Structure.objects.filter(pk__in=[held.pk, free.pk]).count() == 2


def test_a_structure_nobody_depends_on_is_deleted(client, superuser):
    structure = StructureFactory()
    client.force_login(superuser)
    url = reverse("admin:accounts_structure_delete", args=[structure.pk])
    assert "ne peut pas être supprimée" not in client.get(url).content.decode()
    client.post(url, {"post": "yes"})
    assert not Structure.objects.filter(pk=structure.pk).exists()


# --- Wagtail's admin --------------------------------------------------------------------


def wagtail_url(action, structure=None):
    args = [structure.pk] if structure is not None else []
    return reverse(f"structures:{action}", args=args)


def edit_data(structure, **changes):
    data = {
        "name": structure.name,
        "slug": structure.slug,
        "kind": structure.kind,
        "departements": structure.departements,
        "active": "on" if structure.active else "",
        "presentation": structure.presentation,
        "address": structure.address,
        "email": structure.email,
        "phone": structure.phone,
        "website": structure.website,
        "modalities": structure.modalities,
        "colour": structure.colour,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_a_network_manager_lists_and_edits_every_structure(client):
    lyon = StructureFactory(name="Fabrique de Lyon", departements=["69"])
    drome = StructureFactory(name="CAE Drôme", kind=StructureKind.CAE, departements=["26"])
    client.force_login(manager())

    listing = client.get(wagtail_url("index"))
    assert listing.status_code == 200
    assert {"Fabrique de Lyon", "CAE Drôme"} <= {s.name for s in listing.context["object_list"]}

    response = client.post(
        wagtail_url("edit", drome), edit_data(drome, departements=["26", "07"], active="")
    )
    assert response.status_code == 302
    drome.refresh_from_db()
    assert sorted(drome.departements) == ["07", "26"]
    assert drome.active is False
    assert client.get(wagtail_url("edit", lyon)).status_code == 200


def test_a_structure_manager_edits_the_presentation_of_their_own_structure_only(client):
    own = StructureFactory(name="Fabrique de Lyon", departements=["69"])
    other = StructureFactory(name="CAE Drôme", departements=["26"])
    client.force_login(manager(own))

    listing = client.get(wagtail_url("index"))
    assert listing.status_code == 200
    assert [s.name for s in listing.context["object_list"]] == ["Fabrique de Lyon"]

    response = client.post(
        wagtail_url("edit", own),
        edit_data(own, presentation="Nous accueillons tous les projets.", departements=["75"],
                  kind=StructureKind.NETWORK, active=""),
    )  # fmt: skip
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.presentation == "Nous accueillons tous les projets."
    # Kind, départements and activity are the network's to decide.
    assert (own.kind, own.departements, own.active) == (StructureKind.FABRIQUE, ["69"], True)

    assert client.get(wagtail_url("edit", other)).status_code in (302, 403)
    refused = client.post(wagtail_url("edit", other), edit_data(other, presentation="Piraté"))
    assert refused.status_code in (302, 403)
    other.refresh_from_db()
    assert other.presentation != "Piraté"
    assert client.get(wagtail_url("add")).status_code in (302, 403)
    assert client.get(wagtail_url("delete", own)).status_code in (302, 403)


@pytest.mark.parametrize("make_user", [learner, coach])
def test_learners_and_coaches_get_no_access(client, make_user):
    structure = StructureFactory()
    client.force_login(make_user())
    for url in (wagtail_url("index"), wagtail_url("edit", structure)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_the_menu_shows_structures_to_managers_only(client):
    client.force_login(manager())
    assert wagtail_url("index") in client.get(reverse("wagtailadmin_home")).content.decode()
    editor = UserFactory(role=Role.EDITOR)
    client.force_login(editor)
    assert wagtail_url("index") not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_a_network_manager_cannot_delete_a_structure_people_depend_on(client):
    structure = coach(departements=["69"]).coach_profile.structure
    attach_request(structure)
    client.force_login(manager())
    url = wagtail_url("delete", structure)

    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "1 demande d’accompagnement" in html
    assert DEACTIVATE_INSTEAD in html
    assert "Yes, delete" not in html and "Oui, supprimer" not in html

    assert client.post(url).status_code == 302
    assert Structure.objects.filter(pk=structure.pk).exists()


def test_a_network_manager_deletes_a_structure_nobody_depends_on(client):
    structure = StructureFactory()
    client.force_login(manager())
    assert client.post(wagtail_url("delete", structure)).status_code == 302
    assert not Structure.objects.filter(pk=structure.pk).exists()
