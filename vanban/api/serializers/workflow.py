"""Trình, chỉ đạo, giao việc, xử lý on the wire."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rest_framework import serializers

from vanban.api.serializers.common import QuerySerializer, StrictSerializer, bounded_id
from vanban.api.serializers.incoming import IncomingSummarySerializer
from vanban.documents.catalogue import Urgency
from vanban.workflow.models import Assignment, Direction, ExtensionRequest, Presentation, Step, Task


def _name(user: Any) -> str | None:
    return (user.full_name or user.username) if user is not None else None


# --- Output ---------------------------------------------------------------------------


class PresentationSerializer(serializers.ModelSerializer):
    leader_name = serializers.SerializerMethodField()
    presented_by_name = serializers.SerializerMethodField()
    document_summary = IncomingSummarySerializer(source="document", read_only=True)

    class Meta:
        model = Presentation
        fields = ["id", "document", "leader", "leader_name", "proposal", "presented_by", "presented_by_name",
                  "on_behalf_of", "presented_at", "forwarded_from", "status", "closed_at", "document_summary"]  # fmt: skip

    def get_leader_name(self, p: Presentation) -> str | None:
        return _name(p.leader)

    def get_presented_by_name(self, p: Presentation) -> str | None:
        return _name(p.presented_by)


class AssignmentSerializer(serializers.ModelSerializer):
    assignee_name = serializers.CharField(source="assignee_label", help_text="Tên đơn vị hoặc người được giao")
    assigned_by_name = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(help_text="Quá hạn: chưa xong mà đã qua hạn xử lý")
    order = serializers.CharField(source="direction.text", help_text="Ý kiến chỉ đạo giao việc này")
    document_arrival_number = serializers.IntegerField(source="document.arrival_number", allow_null=True)
    document_subject = serializers.CharField(source="document.subject", allow_null=True)
    task_title = serializers.CharField(source="task.title", allow_null=True, help_text="Công việc giao trực tiếp")

    class Meta:
        model = Assignment
        fields = ["id", "document", "document_arrival_number", "document_subject", "task", "task_title",
                  "direction", "order", "parent",
                  "role", "assignee_unit", "assignee_user", "assignee_name", "deadline", "assigned_by",
                  "assigned_by_name", "assigned_at", "status", "progress", "result", "return_reason", "started_at",
                  "closed_at", "read_at", "is_overdue"]  # fmt: skip

    def get_assigned_by_name(self, a: Assignment) -> str | None:
        return _name(a.assigned_by)


class DirectionSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()
    assignments = AssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = Direction
        fields = ["id", "document", "task", "presentation", "parent_assignment", "author", "author_name", "on_behalf_of",
                  "text", "created_at", "assignments"]  # fmt: skip

    def get_author_name(self, d: Direction) -> str | None:
        return _name(d.author)


class StepSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")
    actor_name = serializers.SerializerMethodField()
    on_behalf_of_name = serializers.SerializerMethodField()
    file_sha256 = serializers.CharField(source="file.sha256", allow_null=True, default=None)

    class Meta:
        model = Step
        fields = ["id", "document", "task", "assignment", "kind", "kind_display", "actor", "actor_name", "on_behalf_of",
                  "on_behalf_of_name", "at", "text", "progress", "file_name", "file_sha256"]  # fmt: skip

    def get_actor_name(self, s: Step) -> str | None:
        return _name(s.actor)

    def get_on_behalf_of_name(self, s: Step) -> str | None:
        return _name(s.on_behalf_of)


class ExtensionRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExtensionRequest
        fields = ["id", "assignment", "requested_by", "requested_at", "old_deadline", "new_deadline", "reason",
                  "status", "decided_by", "decided_at", "decision_note"]  # fmt: skip


class WorkflowSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="Trạng thái văn bản: registered, presented, in_progress, completed")
    presentations = PresentationSerializer(many=True)
    directions = DirectionSerializer(many=True)
    assignments = AssignmentSerializer(many=True)
    steps = StepSerializer(many=True)


class CountsSerializer(serializers.Serializer):
    direct = serializers.IntegerField(required=False, help_text="Văn bản chờ cho ý kiến chỉ đạo")
    process = serializers.IntegerField(help_text="Việc chủ trì đang xử lý")
    cooperate = serializers.IntegerField(help_text="Việc phối hợp đang xử lý")
    info = serializers.IntegerField(help_text="Văn bản để biết chưa xem")
    overdue = serializers.IntegerField(help_text="Việc quá hạn (chủ trì, phối hợp)")
    extensions = serializers.IntegerField(required=False, help_text="Đề nghị gia hạn chờ duyệt")
    awaiting = serializers.IntegerField(required=False, help_text="Văn bản chờ trình (văn thư)")
    total = serializers.IntegerField()


# --- Input ----------------------------------------------------------------------------


class PresentSerializer(StrictSerializer):
    leader = bounded_id(help_text="Lãnh đạo nhận trình")
    proposal = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ForwardSerializer(StrictSerializer):
    leader = bounded_id(help_text="Lãnh đạo khác nhận chuyển")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class AssigneeSerializer(StrictSerializer):
    role = serializers.ChoiceField(
        choices=Assignment.Role.choices, help_text="lead (chủ trì, đúng một), cooperate, info"
    )
    unit = bounded_id(required=False, help_text="Đơn vị được giao (hoặc user)")
    user = bounded_id(required=False, help_text="Người được giao (hoặc unit)")
    deadline = serializers.DateField(required=False, help_text="Hạn xử lý; bắt buộc với chủ trì, phối hợp")


class DirectionInputSerializer(StrictSerializer):
    text = serializers.CharField(max_length=4000, help_text="Ý kiến chỉ đạo")
    assignees = AssigneeSerializer(many=True, max_length=50)


class FilesField(serializers.ListField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            child=serializers.FileField(allow_empty_file=True),
            required=False,
            default=list,
            max_length=20,
            help_text="Tệp đính kèm (multipart/form-data)",
            **kwargs,
        )


class NoteSerializer(StrictSerializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    files = FilesField()


class ContributionSerializer(NoteSerializer):
    pass


class ProgressSerializer(StrictSerializer):
    progress = serializers.IntegerField(min_value=0, max_value=100)
    text = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class ExtensionInputSerializer(StrictSerializer):
    new_deadline = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class DecisionSerializer(StrictSerializer):
    approve = serializers.BooleanField(help_text="true: đồng ý gia hạn; false: không đồng ý")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReturnSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class CompleteSerializer(StrictSerializer):
    result = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    files = FilesField()


BOX_CHOICES = [("process", "Chủ trì"), ("cooperate", "Phối hợp"), ("info", "Để biết"),
               ("followup", "Việc mình đã giao"), ("unit", "Việc của đơn vị")]  # fmt: skip
STATUS_CHOICES = [("open", "Đang xử lý"), ("overdue", "Quá hạn"), ("due_soon", "Sắp đến hạn"),
                  ("completed", "Hoàn thành"), ("returned", "Trả lại"), ("read", "Đã xem"), ("all", "Tất cả")]  # fmt: skip
SORT_CHOICES = [("assigned_at", "Mới giao trước"), ("deadline", "Hạn gần nhất"), ("urgency", "Độ khẩn")]


class WorkFilterSerializer(QuerySerializer):
    status = serializers.ChoiceField(choices=STATUS_CHOICES, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    organ = serializers.CharField(required=False, max_length=200, help_text="Tên cơ quan ban hành (một phần)")
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    sort = serializers.ChoiceField(choices=SORT_CHOICES, required=False)


class AssignmentFilterSerializer(WorkFilterSerializer):
    box = serializers.ChoiceField(choices=BOX_CHOICES, default="process")


# --- deadlines, đôn đốc, direct tasks -------------------------------------------------------


class DirectionResultSerializer(DirectionSerializer):
    warnings = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="Cảnh báo không chặn thao tác, ví dụ hạn xử lý rơi vào ngày nghỉ",
    )

    class Meta(DirectionSerializer.Meta):
        fields = [*DirectionSerializer.Meta.fields, "warnings"]


class UrgeSerializer(StrictSerializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="",
                                    help_text="Nội dung đôn đốc (không bắt buộc)")


class TaskSerializer(serializers.ModelSerializer):
    created_by_name = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField(help_text="Việc chủ trì chưa xong mà đã qua hạn")
    deadline = serializers.SerializerMethodField(help_text="Hạn xử lý của việc chủ trì")
    relations = serializers.SerializerMethodField(
        help_text="Vai trò của người gọi trong công việc: assigned (mình giao), lead, cooperate, info"
    )

    class Meta:
        model = Task
        fields = ["id", "title", "content", "created_by", "created_by_name", "on_behalf_of", "created_at",
                  "status", "completed_at", "deadline", "is_overdue", "relations"]  # fmt: skip

    def get_created_by_name(self, t: Task) -> str | None:
        return _name(t.created_by)

    def _leads(self, t: Task) -> list[Assignment]:
        return [a for a in t.assignments.all() if a.parent_id is None and a.role == Assignment.Role.LEAD]

    def get_is_overdue(self, t: Task) -> bool:
        # The list annotates it in SQL (selectors.task_list); a single task reads its rows.
        if hasattr(t, "overdue"):
            return bool(t.overdue)
        leads = getattr(t, "open_leads", None)
        if leads is None:
            leads = self._leads(t)
        return any(a.is_overdue for a in leads)

    def get_deadline(self, t: Task) -> dt.date | None:
        if hasattr(t, "lead_deadline"):
            return t.lead_deadline
        leads = self._leads(t)
        return leads[0].deadline if leads else None

    def get_relations(self, t: Task) -> list[str]:
        """Only the list knows the caller (annotated in SQL); elsewhere it is empty."""
        flags = (("assigned", "i_assigned"), ("lead", "i_lead"), ("cooperate", "i_cooperate"), ("info", "i_info"))
        return [name for name, attr in flags if getattr(t, attr, False)]


TASK_STATUS_CHOICES = [("open", "Đang xử lý"), ("overdue", "Quá hạn"), ("due_soon", "Sắp đến hạn"),
                       ("completed", "Đã hoàn thành"), ("all", "Tất cả")]  # fmt: skip
TASK_RELATION_CHOICES = [("assigned", "Tôi giao"), ("lead", "Tôi chủ trì"), ("cooperate", "Tôi phối hợp"),
                         ("info", "Để biết")]  # fmt: skip


class TaskFilterSerializer(QuerySerializer):
    status = serializers.ChoiceField(
        choices=TASK_STATUS_CHOICES, default="all",
        help_text="open: đang xử lý; overdue: việc chủ trì quá hạn; due_soon: hạn trong 3 ngày tới; completed; all",
    )
    relation = serializers.ChoiceField(
        choices=TASK_RELATION_CHOICES, required=False,
        help_text="Chỉ những công việc người gọi đã giao, chủ trì, phối hợp hoặc được gửi để biết",
    )


class TaskDetailSerializer(TaskSerializer):
    assignments = AssignmentSerializer(many=True, read_only=True, source="tree")
    steps = StepSerializer(many=True, read_only=True, source="timeline_steps")
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True, required=False)

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "assignments", "steps", "warnings"]


class TaskInputSerializer(StrictSerializer):
    title = serializers.CharField(max_length=500, help_text="Tên công việc")
    content = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")
    assignees = AssigneeSerializer(many=True, max_length=50)
