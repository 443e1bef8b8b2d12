"""Worries, reflection sessions, chronologies, minutes and the access log.

Who sees what:
- Anyone on the team can raise a worry, and sees the worries she raised and
  their status, nothing more (reading one in full is a 403: she knows it exists).
- Safeguarding members see all of their own organisation's worries in full.
- Coordinators and facilitators without the safeguarding role see no one
  else's worries: those are a 404, as is everything outside the user's groups.
- Groups become partners when one asks and the other says yes (views/partners.py);
  either can end it. A host invites partner groups to a session; each sees it
  only once it says yes, and only while the two are partners.
- In a joint session a partner group's safeguarding members see only the worries
  each group chose to bring, by initials, read-only: the owning group keeps the
  record and makes the decisions.
Every look at a worry, chronology, session agenda or minutes is logged.
"""

from .access import (  # noqa: F401
    get_action_for_user,
    get_alert_for_user,
    get_invitation_for_user,
    get_partnership_for_user,
    get_session_for_user,
    get_session_worry_for_user,
    get_worry_for_user,
)
from .partners import (  # noqa: F401
    partners,
    partnership_answer,
    partnership_code,
    partnership_end,
)
from .sessions import (  # noqa: F401
    action_done,
    minutes,
    session_bring,
    session_detail,
    session_edit,
    session_invitation,
    session_list,
    session_new,
    session_review,
)
from .trust import access_log, settings_edit  # noqa: F401
from .worries import (  # noqa: F401
    alert_acknowledge,
    alert_retry,
    chronology,
    find_her,
    worry_detail,
    worry_edit,
    worry_list,
    worry_new,
    worry_raised,
    worry_status,
)
