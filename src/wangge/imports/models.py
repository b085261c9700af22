"""An uploaded file being imported in the background: who sent it, how far it got, and what
came of it."""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from wangge.foundation.codes import ScopedQuerySet


def job_storage() -> FileSystemStorage:
    """Uploaded files and their rejects live under var/imports/, one folder per upload; they
    hold personal data and are never served directly, only through the owner's download."""
    return FileSystemStorage(location=settings.VAR_DIR / "imports")


def upload_path(job: "ImportJob", filename: str) -> str:
    # The file keeps its own name (it names the source in every history row), in a folder of
    # its own so two uploads of "名单.xlsx" never collide.
    return f"{uuid.uuid4().hex}/{filename}"


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Importing")
        IMPORTED = "imported", _("Imported")
        REJECTED = "rejected", _("Nothing written")  # atomic, and some rows were rejected
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="import_jobs",
                             verbose_name=_("uploaded by"))
    kind = models.CharField(_("kind"), max_length=30)
    department = models.CharField(_("department"), max_length=50, blank=True)
    partial = models.BooleanField(_("write the valid rows"), default=False)
    language = models.CharField(max_length=10, default="zh-hans")
    file = models.FileField(_("file"), upload_to=upload_path, storage=job_storage,
                            max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    # The file's rows as its size suggests, title and header rows included (tasks.job_progress).
    rows_expected = models.PositiveIntegerField(null=True, blank=True)
    # {"rows", "created", "updated", "unchanged", "rejected", "warned", "written",
    #  "rejections" and "warnings": the first lines}
    summary = models.JSONField(default=dict, blank=True)
    rejects = models.FileField(storage=job_storage, max_length=255, blank=True)
    error = models.TextField(_("error"), blank=True)
    created = models.DateTimeField(_("uploaded"), auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    # When the upload and its rejects were deleted (WANGGE_UPLOAD_RETENTION_DAYS after the
    # import finished); the job and its counts stay.
    file_removed = models.DateTimeField(_("file removed"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.file_name

    @property
    def file_name(self) -> str:
        return Path(self.file.name).name

    @property
    def folder(self) -> Path:
        """The upload's own folder under var/imports/."""
        return Path(job_storage().path(self.file.name)).parent

    @property
    def progress_file(self) -> Path:
        """How far the running import got (see tasks.job_progress_write)."""
        return self.folder / "progress"

    @property
    def heartbeat_file(self) -> Path:
        """The running worker's host and process id, kept fresh (see imports.liveness)."""
        return self.folder / "heartbeat"

    @property
    def is_finished(self) -> bool:
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)


class QueuedRow(models.Model):
    """A person's row whose address named no single building, waiting in the address queue
    until staff pick the building (imports/queue.py). ``grid_code`` is the narrowest code the
    row is known to lie in (its grid, or what its candidates share), so it is scoped like a
    record; its cells are kept as read, to land them once placed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("uploaded by"))
    grid_code = models.CharField(_("grid code"), max_length=15, db_index=True)
    source = models.CharField(_("source"), max_length=300)
    row_number = models.PositiveIntegerField(_("row"))
    address = models.CharField(_("address"), max_length=200)
    values = models.JSONField(default=dict)
    # [[building id, "同心苑1栋（大智街道 民意社区）"], ...], best first.
    candidates = models.JSONField(default=list)
    reason = models.TextField(_("reason"))
    created = models.DateTimeField(_("queued"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["address", "id"]
        verbose_name = _("row waiting for its address")
        verbose_name_plural = _("rows waiting for their address")

    def __str__(self) -> str:
        return self.address
