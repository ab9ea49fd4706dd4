"""Administrators and the network's managers look after the structures of the network:
in Django's admin and in Wagtail's. A structure people depend on is never deleted by
mistake; each structure's managers keep their own presentation up to date."""

from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.accounts import wagtail_hooks
from lms.accounts.models import Structure, StructureKind
from lms.accounts.roles import Role
from lms.accounts.structures import Holdings, holdings
from lms.coaching.models import CoachingRequest
from tests.factories.accounts import StructureFactory, UserFactory, coach, learner, manager
from tests.factories.pathways import build_pathway

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


# --- A structure with no département --------------------------------------------------------

NO_DEPARTEMENT = "Indiquez au moins un département"


def django_add(client, **changes):
    data = {
        "name": "Couveuse du Gard", "slug": "couveuse-gard", "kind": StructureKind.COUVEUSE,
        "departements": "[]", "modalities": '["video"]', "colour": "#1d4e89", "active": "on",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
    }  # fmt: skip
    data.update(changes)
    return client.post(reverse("admin:accounts_structure_add"), data)


def test_the_django_admin_refuses_a_structure_with_no_departement(client, superuser):
    client.force_login(superuser)
    response = django_add(client)
    assert response.status_code == 200
    assert NO_DEPARTEMENT in unescape(response.content.decode())
    assert "« à distance uniquement »" in unescape(response.content.decode())
    assert not Structure.objects.filter(slug="couveuse-gard").exists()


@pytest.mark.parametrize(
    "changes", [{"remote_only": "on"}, {"kind": StructureKind.NETWORK, "modalities": "[]"}]
)
def test_a_remote_only_structure_or_the_network_s_head_covers_no_departement(
    client, superuser, changes
):
    client.force_login(superuser)
    assert django_add(client, **changes).status_code == 302
    assert Structure.objects.get(slug="couveuse-gard").departements == []


def test_a_remote_only_structure_offers_no_in_person_meeting(client, superuser):
    client.force_login(superuser)
    response = django_add(client, remote_only="on", modalities='["video", "in_person"]')
    assert response.status_code == 200
    assert "ne propose pas de rendez-vous en présentiel" in unescape(response.content.decode())
    assert not Structure.objects.filter(slug="couveuse-gard").exists()


def wagtail_add_data(**changes):
    data = {
        "name": "Couveuse du Gard", "slug": "couveuse-gard", "kind": StructureKind.COUVEUSE,
        "modalities": ["video"], "colour": "#1d4e89", "active": "on",
    }  # fmt: skip
    data.update(changes)
    return data


def test_wagtail_s_admin_refuses_a_structure_with_no_departement(client):
    client.force_login(manager())
    response = client.post(wagtail_url("add"), wagtail_add_data())
    assert response.status_code == 200
    assert NO_DEPARTEMENT in unescape(response.content.decode())
    assert not Structure.objects.filter(slug="couveuse-gard").exists()

    response = client.post(wagtail_url("add"), wagtail_add_data(remote_only="on"))
    assert response.status_code == 302
    assert Structure.objects.get(slug="couveuse-gard").remote_only


def test_managers_of_a_structure_with_no_departement_still_edit_its_presentation(client):
    # Structures made from coaches' names (migration 0004) may cover none: its managers
    # cannot choose départements, and must not get an error page for it.
    own = StructureFactory(name="Structure à préciser", kind=StructureKind.OTHER, departements=[])
    client.force_login(manager(own))
    response = client.post(
        wagtail_url("edit", own),
        {
            "presentation": "Accompagnement à distance.",
            "colour": "#1d4e89",
            "modalities": ["video"],
        },
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.presentation == "Accompagnement à distance."

    # The network's managers see the rule, and how to meet it, when they edit it.
    client.force_login(manager())
    response = client.post(wagtail_url("edit", own), edit_data(own, departements=[]))
    assert response.status_code == 200
    assert NO_DEPARTEMENT in unescape(response.content.decode())


# --- A structure that wrote pathways and modules ---------------------------------------------


def authored_pathway(structure):
    pathway = build_pathway(["m:1"])
    type(pathway).objects.filter(pk=pathway.pk).update(structure=structure)
    return pathway


def test_holdings_count_everything_that_protects_a_structure():
    structure = coach(departements=["69"]).coach_profile.structure
    attach_request(structure)
    oriented = StructureFactory()
    CoachingRequest.objects.update(oriented_to=oriented)
    authored_pathway(structure)
    assert holdings(structure) == Holdings(requests=1, coaches=1, pages=1, others=0)
    assert holdings(oriented) == Holdings(requests=1, coaches=0)
    assert not holdings(StructureFactory())


def test_the_django_admin_says_a_structure_wrote_pages_and_keeps_it(client, superuser):
    structure = StructureFactory(name="Autrice")
    authored_pathway(structure)
    client.force_login(superuser)
    url = reverse("admin:accounts_structure_delete", args=[structure.pk])
    html = client.get(url).content.decode()
    assert "1 parcours ou module dont elle est la structure autrice" in html
    assert "demande d’accompagnement" not in html
    assert "structure autrice" in html and DEACTIVATE_INSTEAD in html
    assert client.post(url, {"post": "yes"}).status_code in (200, 403)
    assert Structure.objects.filter(pk=structure.pk).exists()


def test_wagtail_s_admin_says_a_structure_wrote_pages_and_keeps_it(client):
    structure = StructureFactory(name="Autrice")
    authored_pathway(structure)
    client.force_login(manager())
    url = wagtail_url("delete", structure)
    html = client.get(url).content.decode()
    assert "1 parcours ou module dont elle est la structure autrice" in html
    assert "Yes, delete" not in html and "Oui, supprimer" not in html

    page = client.post(url, follow=True)
    assert page.status_code == 200
    assert "Autrice n’est pas supprimée" in unescape(page.content.decode())
    assert Structure.objects.filter(pk=structure.pk).exists()


def test_something_attached_while_the_page_was_open_is_a_message_not_an_error(client, monkeypatch):
    structure = StructureFactory(name="Occupée")
    authored_pathway(structure)
    monkeypatch.setattr(wagtail_hooks, "holdings", lambda structure: Holdings(0, 0))
    client.force_login(manager())
    page = client.post(wagtail_url("delete", structure), follow=True)
    assert page.status_code == 200
    assert "Occupée n’est pas supprimée" in unescape(page.content.decode())
    assert Structure.objects.filter(pk=structure.pk).exists()
