"""Access: who may view usage and charges, from Azure's own rules."""

import streamlit as st

from lib import ui
from lib.access import ACCESS_RULES, rule_for

context = ui.context()
dataset = context.dataset

st.title("Who can see usage and charges")
if dataset is not None:
    current = rule_for(dataset.agreement)
    st.success(f"The current source ({dataset.format}) belongs to a **{current.title if current else dataset.agreement}**.")
else:
    st.info(context.message)

for rule in ACCESS_RULES.values():
    is_current = dataset is not None and rule.agreement == dataset.agreement
    with st.expander(rule.title + ("  ← current source" if is_current else ""), expanded=is_current):
        st.markdown("**Who can view usage and charges**")
        st.markdown("\n".join(f"- {role}" for role in rule.roles))
        st.markdown(f"**Where in the Azure portal:** {rule.where}")
        st.markdown(f"**No access?** {rule.when_missing}")
st.caption(
    "For other subscriptions, only the account administrator can download usage in the portal; "
    "other billing roles read costs through the Cost Management APIs (the Azure source of this dashboard)."
)
