"""Account pages: the second factor (enrolment and verification), the password change, the
set-password link an administrator hands over, and the page shown when sign-in is locked."""

import base64
import datetime

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from wangge.foundation.forms import service_errors_shown
from wangge.foundation.permissions import needs_two_factor

from .forms import CodeForm, PasswordChooseForm
from .services import two_factor_confirm, two_factor_device, user_password_choose


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """After the password: enrol an authenticator app (QR code and secret), or type its code."""
    if request.user.is_verified() or not needs_two_factor(request.user):
        # Done, or never needed (a volunteer): nothing to enrol, nothing to type.
        return redirect(_next(request))
    device = two_factor_device(user=request.user)
    form = CodeForm(request.POST or None)
    if form.is_valid():
        if not device.verify_is_allowed()[0]:
            form.add_error("code", _("Too many wrong codes: wait a moment and try again."))
        elif two_factor_confirm(device=device, code=form.cleaned_data["code"]):
            otp_login(request, device)
            return redirect(_next(request))
        else:
            form.add_error("code", _("That code is not right (or was already used). Wait "
                                     "for the next one and try again."))
    context = {"form": form, "enrolling": not device.confirmed, "next": _next(request)}
    if not device.confirmed:
        context["secret"] = base64.b32encode(device.bin_key).decode()
        context["qr"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(request, "access/two_factor.html", context,
                  status=400 if form.errors else 200)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Every role changes its own password; the policy (length, common passwords, the last few
    passwords) is AUTH_PASSWORD_VALIDATORS."""

    template_name = "access/password_change.html"
    success_url = reverse_lazy("web:home")

    def form_valid(self, form: object) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


class PasswordChooseView(auth_views.PasswordResetConfirmView):
    """The owner of an account chooses its password through the one-time link an
    administrator handed over (a new account, or a reset: ``user_password_reset``). Django's
    view checks the link and moves its token into the session, so that it leaves no trace in
    the address bar or a Referer; the password is set by ``user_password_choose``, which
    checks the token again and the policy, and keeps the history. No sign-in follows: the
    owner signs in, with the second factor where the role needs one."""

    template_name = "access/password_choose.html"
    form_class = PasswordChooseForm
    success_url = reverse_lazy("web:login")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        token = self.request.session.get(auth_views.INTERNAL_RESET_SESSION_TOKEN, "")
        try:
            user_password_choose(user=self.user, token=token,
                                 password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                error = ValidationError({"new_password1": error.message_dict.get(
                    "password", error.messages)})
            service_errors_shown(form, error)
            return self.form_invalid(form)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        messages.success(self.request, _("Your password is set. Sign in with it."))
        return redirect(self.success_url)


def locked_out(request: HttpRequest, original_response: object = None,
               credentials: object = None) -> HttpResponse:
    """django-axes' answer to a locked sign-in: the same for an account that exists and one
    that does not, so it tells nobody which names are real."""
    cool_off = settings.AXES_COOLOFF_TIME
    minutes = (int(cool_off.total_seconds() // 60)
               if isinstance(cool_off, datetime.timedelta) else 0)
    return render(request, "access/locked_out.html", {"minutes": minutes},
                  status=settings.AXES_HTTP_RESPONSE_CODE)
