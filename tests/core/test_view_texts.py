"""Texts a manager reads (issue 19, point 7): no "over the last 1 days", the MCA list names the billing-account roles."""

from __future__ import annotations

from lib.access.roles import ACCESS_RULES
from lib.core import labels
from lib.core.models import Agreement


def test_an_estimate_from_one_day_is_not_worded_as_the_last_1_days() -> None:
    assert labels.estimate_method("daily average over the last 1 days") == "the cost of the one day with data"
    assert labels.estimate_method("daily average over the last 5 days") == "daily average over the last 5 days"


def test_the_mca_access_list_names_the_billing_account_roles() -> None:
    roles = ACCESS_RULES[Agreement.MCA].roles
    for role in ("Billing account owner", "Billing account contributor", "Billing account reader", "Billing profile reader"):
        assert role in roles
