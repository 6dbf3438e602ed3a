"""Pending orders, the order hooks, X-ray replacement, order review and CT myelography."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cds_service.logic.facts import Order
from cds_service.logic.facts import OrderKind
from cds_service.logic.facts import Priority
from cds_service.logic.facts import Region
from tests.logic.rules_support import BACK_PAIN
from tests.logic.rules_support import CORD
from tests.logic.rules_support import WEAKNESS
from tests.logic.rules_support import actions
from tests.logic.rules_support import benign
from tests.logic.rules_support import card
from tests.logic.rules_support import created
from tests.logic.rules_support import found
from tests.logic.rules_support import loinc
from tests.logic.rules_support import make
from tests.logic.rules_support import metastatic
from tests.logic.rules_support import order
from tests.logic.rules_support import run
from tests.logic.rules_support import topics

MRI = OrderKind.MRI_SPINE
PACEMAKER = found("Device/pm", "Permanent cardiac pacemaker (SNOMED CT 424921004)", certainty=None)


def mri(rid: str, priority: Priority | None, **kw: object) -> object:
    return order(MRI, rid, priority=priority, code=("http://loinc.org", "30855-1"), **kw)


def xray(rid: str = "xr", **kw: object) -> object:
    return order(OrderKind.XRAY_SPINE, rid, code=("http://loinc.org", "24972-2"), **kw)


def held_mri(rid: str = "held") -> Order:
    """A stat spine MRI on record, on hold: it addresses nothing (§2)."""
    pending = order(
        MRI, rid, priority=Priority.STAT, in_draft=False, code=("http://loinc.org", "30855-1")
    )
    return replace(pending, held=True)


class TestPendingMriInPatientView:
    def test_pending_mri_of_adequate_priority_addresses_the_tier(self) -> None:
        facts = metastatic(cord_compression=CORD, orders=(mri("m", Priority.STAT, in_draft=False),))
        assert "mri-12h" not in topics(run(facts))

    def test_less_urgent_pending_mri_turns_the_card_into_escalate_without_create(self) -> None:
        facts = metastatic(
            cord_compression=CORD, orders=(mri("m", Priority.URGENT, in_draft=False),)
        )
        c = card(run(facts), "mri-12h")
        assert "suggestions" not in c and "selectionBehavior" not in c
        assert c["summary"].startswith("Escalate the pending spine MRI")
        assert "`ServiceRequest/m` (urgent)" in c["detail"]

    def test_pending_mri_without_priority_counts_as_routine(self) -> None:
        facts = metastatic(motor_deficit=WEAKNESS, orders=(mri("m", None, in_draft=False),))
        assert card(run(facts), "mri-24h")["summary"].startswith("Escalate")

    def test_routine_pending_mri_addresses_the_two_week_tier(self) -> None:
        facts = metastatic(
            back_pain=BACK_PAIN, orders=(mri("m", Priority.ROUTINE, in_draft=False),)
        )
        assert "mri-2w" not in topics(run(facts))


class TestOrderSelect:
    def test_selected_slow_draft_mri_gets_review_instead_of_tier_card(self) -> None:
        draft = mri("d", Priority.ROUTINE, selected=True, region=Region.WHOLE)
        facts = metastatic(hook="order-select", cord_compression=CORD, orders=(draft,))
        cards = run(facts)
        assert "mri-12h" not in topics(cards)
        review = card(cards, "mri-order-review")
        (action,) = actions(review)
        assert action["type"] == "update" and "resourceId" not in action
        assert action["resource"]["id"] == "d" and action["resource"]["priority"] == "stat"

    def test_single_region_mri_with_metastatic_suspicion_is_widened(self) -> None:
        draft = mri("d", Priority.ROUTINE, selected=True, region=Region.LUMBAR)
        facts = metastatic(hook="order-select", orders=(draft,))
        review = card(run(facts), "mri-order-review")
        resource = actions(review)[0]["resource"]
        assert loinc(resource) == "30854-4" and resource["priority"] == "routine"
        note = resource["note"][-1]["text"]
        assert "whole spine" in note and "gadolinium" not in note, "the note agrees with the code"
        assert review["summary"].startswith("Metastatic disease suspected")

    def test_whole_spine_draft_of_adequate_priority_is_silent(self) -> None:
        draft = mri("d", Priority.STAT, selected=True, region=Region.WHOLE)
        referral = order(OrderKind.REFERRAL_NEUROSURGERY, "r", in_draft=False)
        facts = metastatic(hook="order-select", cord_compression=CORD, orders=(draft, referral))
        assert topics(run(facts)) == []

    def test_single_region_without_metastatic_suspicion_is_silent(self) -> None:
        draft = mri("d", Priority.ROUTINE, selected=True, region=Region.LUMBAR)
        assert "mri-order-review" not in topics(run(benign(hook="order-select", orders=(draft,))))

    def test_unselected_slow_draft_leaves_the_critical_tier_card_to_escalate(self) -> None:
        draft = mri("d", Priority.ROUTINE, region=Region.WHOLE)
        facts = metastatic(hook="order-select", cord_compression=CORD, orders=(draft,))
        cards = run(facts)
        assert "mri-order-review" not in topics(cards)
        assert card(cards, "mri-12h")["summary"].startswith("Escalate")

    def test_unaddressed_critical_card_is_returned_but_warnings_are_not(self) -> None:
        facts = metastatic(hook="order-select", cord_compression=CORD)
        cards = run(facts)
        # dexamethasone, tissue and ambulatory cards are warnings/info: not in order-select.
        assert topics(cards) == ["mri-12h", "surgical-referral"]
        assert created(cards[0])["priority"] == "stat"

    def test_surgical_referral_is_critical_with_cord_compression_in_order_select(self) -> None:
        facts = metastatic(
            hook="order-select", cord_compression=CORD, orders=(mri("d", Priority.STAT),)
        )
        assert topics(run(facts)) == ["surgical-referral"]

    def test_draft_referral_addresses_the_surgical_card(self) -> None:
        referral = order(
            OrderKind.REFERRAL_NEUROSURGERY, "ref", code=("http://snomed.info/sct", "308482002")
        )
        facts = metastatic(
            hook="order-select", cord_compression=CORD, orders=(mri("d", Priority.STAT), referral)
        )
        assert topics(run(facts)) == []


class TestXray:
    def test_selected_xray_is_replaced_by_the_tier_mri_in_one_suggestion(self) -> None:
        facts = metastatic(
            hook="order-select", cord_compression=CORD, orders=(xray(selected=True),)
        )
        cards = run(facts)
        assert "mri-12h" not in topics(cards), "one MRI suggested, never two"
        c = card(cards, "xray-insufficient")
        (suggestion,) = c["suggestions"]
        delete, create = suggestion["actions"]
        assert delete == {
            "type": "delete",
            "description": delete["description"],
            "resourceId": "ServiceRequest/xr",
        }
        assert create["type"] == "create" and create["resource"]["priority"] == "stat"
        assert loinc(create["resource"]) == "30854-4"

    def test_xray_without_tier_suggests_a_routine_mri(self) -> None:
        facts = metastatic(hook="order-sign", orders=(xray(),))
        c = card(run(facts), "xray-insufficient")
        resource = created(c)
        assert resource["priority"] == "routine" and "occurrencePeriod" not in resource

    def test_unselected_xray_in_order_select_is_silent(self) -> None:
        facts = metastatic(
            hook="order-select",
            orders=(xray(), mri("d", Priority.STAT, selected=True, region=Region.WHOLE)),
        )
        assert topics(run(facts)) == []

    def test_order_sign_judges_every_draft(self) -> None:
        facts = metastatic(hook="order-sign", back_pain=BACK_PAIN, orders=(xray(),))
        assert topics(run(facts)) == ["xray-insufficient"]

    def test_xray_with_pending_mri_only_deletes(self) -> None:
        pending = mri("m", Priority.ROUTINE, in_draft=False)
        facts = metastatic(hook="order-sign", back_pain=BACK_PAIN, orders=(xray(), pending))
        c = card(run(facts), "xray-insufficient")
        assert [a["type"] for a in actions(c)] == ["delete"]

    def test_xray_without_spine_mass_context_is_silent(self) -> None:
        assert run(make(hook="order-sign", back_pain=BACK_PAIN, orders=(xray(),))) == []

    def test_xray_card_never_appears_in_patient_view(self) -> None:
        facts = metastatic(orders=(xray(in_draft=False),))
        assert "xray-insufficient" not in topics(run(facts))


class TestMriContraindicated:
    def test_tier_suggests_ct_myelography_at_the_same_priority(self) -> None:
        facts = metastatic(cord_compression=CORD, mri_contraindication=PACEMAKER)
        cards = run(facts)
        tier = card(cards, "mri-12h")
        sr = created(tier)
        assert loinc(sr) == "47985-7" and sr["priority"] == "stat"
        assert tier["summary"].startswith("CT myelography within 12 hours")
        why = card(cards, "mri-contraindicated")
        assert "MR-conditional" in why["detail"] and "suggestions" not in why
        assert "`Device/pm`" in why["detail"]

    def test_ct_myelography_uses_the_symptom_region(self) -> None:
        facts = benign(
            radicular_pain=found("Condition/r", "Cervical radiculopathy"),
            symptom_regions=frozenset({Region.CERVICAL}),
            mri_contraindication=PACEMAKER,
        )
        assert loinc(created(card(run(facts), "mri-1w"))) == "24934-2"

    def test_pending_ct_myelography_addresses_the_tier_and_the_warning(self) -> None:
        ct = order(OrderKind.CT_MYELOGRAPHY, "ct", priority=Priority.STAT, in_draft=False)
        facts = metastatic(cord_compression=CORD, mri_contraindication=PACEMAKER, orders=(ct,))
        assert not {"mri-12h", "mri-contraindicated"} & set(topics(run(facts)))

    def test_pending_mri_with_a_device_still_warns_without_suggestion(self) -> None:
        pending = mri("m", Priority.STAT, in_draft=False)
        facts = metastatic(cord_compression=CORD, mri_contraindication=PACEMAKER, orders=(pending,))
        cards = run(facts)
        assert "mri-12h" not in topics(cards)
        assert card(cards, "mri-contraindicated")["summary"].startswith("A spine MRI is pending")

    def test_device_without_an_mri_tier_is_silent(self) -> None:
        assert "mri-contraindicated" not in topics(run(metastatic(mri_contraindication=PACEMAKER)))

    def test_order_select_returns_the_explanation_with_the_critical_tier(self) -> None:
        facts = metastatic(
            hook="order-select",
            cord_compression=CORD,
            mri_contraindication=PACEMAKER,
            orders=(order(OrderKind.REFERRAL_NEUROSURGERY, "r"),),
        )
        assert topics(run(facts)) == ["mri-12h", "mri-contraindicated"]


class TestOrderSign:
    def test_every_slow_draft_is_reviewed_without_selection(self) -> None:
        draft = mri("d", Priority.URGENT, region=Region.WHOLE)
        facts = metastatic(hook="order-sign", motor_deficit=WEAKNESS, orders=(draft,))
        cards = run(facts)
        assert topics(cards) == ["mri-order-review"]
        assert actions(cards[0])[0]["resource"]["priority"] == "asap"

    def test_xray_replaced_by_ct_myelography_keeps_its_explanation(self) -> None:
        facts = metastatic(
            hook="order-sign",
            motor_deficit=WEAKNESS,
            mri_contraindication=PACEMAKER,
            orders=(xray(),),
        )
        cards = run(facts)
        assert sorted(topics(cards)) == ["mri-contraindicated", "xray-insufficient"]
        assert loinc(actions(card(cards, "xray-insufficient"))[1]["resource"]) == "47985-7"

    @staticmethod
    def xray_beside_held_mri(**symptom: object) -> list[dict[str, Any]]:
        """order-sign with a draft X-ray, a pacemaker and a held stat MRI on record."""
        orders = (xray(), held_mri())
        facts = metastatic(
            hook="order-sign", mri_contraindication=PACEMAKER, orders=orders, **symptom
        )
        return run(facts)

    def test_xray_naming_the_held_mri_keeps_the_device_warning(self) -> None:
        """A warning tier waits on a held MRI: the X-ray card names that order in its place,
        and the device warning that explains the tier stays with it (it used to vanish)."""
        cards = self.xray_beside_held_mri(back_pain=BACK_PAIN)
        assert sorted(topics(cards)) == ["mri-contraindicated", "xray-insufficient"]
        x = card(cards, "xray-insufficient")
        assert [a["type"] for a in actions(x)] == ["delete"]
        assert "`ServiceRequest/held`, on hold" in x["detail"]

    def test_critical_tier_waiting_on_a_held_mri_stays_beside_the_xray(self) -> None:
        """A critical tier waits on a held MRI: §2 returns every critical card the drafts do
        not address, and only the tier card states the window, so it stays (no create, the
        held order named) beside the X-ray card, which suggests no second MRI either."""
        cards = self.xray_beside_held_mri(cord_compression=CORD)
        assert {"mri-12h", "mri-contraindicated", "xray-insufficient"} <= set(topics(cards))
        tier = card(cards, "mri-12h")
        assert tier["indicator"] == "critical"
        assert "`ServiceRequest/held`" in tier["detail"]
        assert not tier.get("suggestions")
        assert [a["type"] for a in actions(card(cards, "xray-insufficient"))] == ["delete"]

    def test_xray_without_a_tier_names_the_held_mri_instead_of_a_second_one(self) -> None:
        """No tier (a spine mass, no symptom), a draft X-ray and a held MRI on record: §2
        says never a second order beside a held one, so the routine MRI is not suggested."""
        facts = metastatic(hook="order-sign", orders=(xray(), held_mri()))
        x = card(run(facts), "xray-insufficient")
        assert [a["type"] for a in actions(x)] == ["delete"]
        assert "`ServiceRequest/held`, on hold" in x["detail"]

    def test_patient_view_ignores_draft_only_topics(self) -> None:
        draft = mri("d", Priority.ROUTINE, region=Region.LUMBAR, in_draft=False)
        cards = run(metastatic(back_pain=BACK_PAIN, orders=(draft,)))
        assert "mri-order-review" not in topics(cards) and "mri-2w" not in topics(cards)
