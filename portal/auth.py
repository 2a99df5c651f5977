"""The authentication backend: Django's ModelBackend, with the user of every signed-in request
read by a query compiled once per process.

Every request of a signed-in user loads the user by the id in its session. Through the ORM that
is a queryset built, compiled and turned into an instance each time, about 0.4 ms of processor
time, more than PostgreSQL spends on it; portal/prepared.py keeps the SQL. Everything else is
Django's: password checks, `user_can_authenticate` (an inactive user is signed out at their
next request), permissions.

Sessions remember the path of the backend that signed the user in. Those signed in before this
backend existed name `django.contrib.auth.backends.ModelBackend`, which settings keep listed
after this one so that they stay valid until they expire. A wrong password therefore stops here
(PermissionDenied, as django-axes does for a locked-out user) instead of being checked a second
time by the backend after it: Django reports it as one failed login either way.
"""

from django.contrib.auth import backends, get_user_model
from django.core.exceptions import PermissionDenied
from django.db import router

from portal.prepared import Columns, Prepared, instances


def _users(user_pk):
    return get_user_model()._default_manager.filter(pk=user_pk).values_list(*_USER.paths)


_USER = Columns(get_user_model())
_BY_ID = Prepared(_users, params=("user_pk",))


class ModelBackend(backends.ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            raise PermissionDenied  # a failed login, not a question for the next backend
        return user

    def get_user(self, user_id):
        try:
            user_pk = int(user_id)
        except (TypeError, ValueError):
            return None
        row = _BY_ID.row(user_pk=user_pk)
        if row is None:
            return None
        model = get_user_model()
        (user,) = instances(row, [_USER], router.db_for_read(model))
        return user if self.user_can_authenticate(user) else None
