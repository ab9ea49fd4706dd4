"""Reports hold figures, not people (see ``lms/accounts/privacy.py``): a funder report
keeps who asked for it, a manager's work."""

from lms.accounts.privacy import Declaration, register

register(
    Declaration(
        "reports",
        excluded={
            # A manager's work, like editorial authorship; the name is cleared (SET NULL)
            # when the account is deleted, the report stays for its structure.
            "reports.FunderReport.requested_by": "manager's work: who asked for a report",
        },
    )
)
