"""Access: who may view usage and charges, from Azure's own rules."""

import streamlit as st

from lib.access.roles import ACCESS_RULES, rule_for
from lib.core import labels
from lib.core.i18n import _
from lib.ui import widgets

context = widgets.context()
dataset = context.dataset

st.title(_("Who can see usage and charges"))
if dataset is not None:
    current = rule_for(dataset.agreement)
    st.success(
        _("The current source ({format}) belongs to a **{agreement}**.").format(
            format=labels.format_label(dataset), agreement=_(current.title) if current else labels.agreement_label(dataset.agreement)
        )
    )
else:
    st.info(context.message)

for rule in ACCESS_RULES.values():
    is_current = dataset is not None and rule.agreement == dataset.agreement
    title = _(rule.title) + ("  ← " + _("current source") if is_current else "")
    with st.expander(title, expanded=is_current):
        st.markdown("**" + _("Who can view usage and charges") + "**")
        st.markdown("\n".join(f"- {_(role)}" for role in rule.roles))
        st.markdown(_("**Where in the Azure portal:** {where}").format(where=_(rule.where)))
        st.markdown(_("**No access?** {what}").format(what=_(rule.when_missing)))
st.caption(
    _(
        "For other subscriptions, only the account administrator can download usage in the portal; "
        "other billing roles read costs through the Cost Management APIs (the Azure source of this dashboard)."
    )
)
