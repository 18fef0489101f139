"""The tracker app's admin, kept in the rooms of the subsystem it serves: cases
(tracker/cases/admin.py), the news watch (tracker/newswatch/admin.py), the email digests
(tracker/digests/admin.py), the access log (tracker/accesslog/admin.py) and the workspace's tasks
(tracker/workspace/admin.py). The admin site's
autodiscovery imports this module, which registers each room's pages."""

from tracker.accesslog import admin as accesslog_admin
from tracker.cases import admin as cases_admin
from tracker.digests import admin as digests_admin
from tracker.newswatch import admin as newswatch_admin
from tracker.workspace import admin as workspace_admin

__all__ = ["accesslog_admin", "cases_admin", "digests_admin", "newswatch_admin", "workspace_admin"]
