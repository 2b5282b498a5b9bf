"""Plan-document import pages: upload, reading progress, the review screen, confirmation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from . import services
from .forms import UploadForm
from .models import ImportStatus
from .review import read_post


def _import_for(request, pk):
    """An import of one of the user's units (404 for anyone else's)."""
    return get_object_or_404(
        services.imports_for_user(request.user).select_related("unit", "plan", "uploaded_by"), pk=pk
    )


@login_required
def index(request):
    """The upload form and the latest imports of the user's units."""
    if not services.can_import(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        imp = services.start_import(request.user, form.cleaned_data["file"], form.cleaned_data["unit"])
        return redirect(imp)
    imports = services.imports_for_user(request.user).select_related("unit", "uploaded_by", "plan")[:50]
    return render(request, "documents/index.html", {"form": form, "imports": imports})


@login_required
def detail(request, pk):
    """An import: its reading progress, its failure message, or (when read) the review screen."""
    imp = services.check_stalled(_import_for(request, pk))
    if imp.status == ImportStatus.READY:
        return redirect("documents:review", pk=imp.pk)
    return render(request, "documents/detail.html", {"imp": imp})


@login_required
@require_GET
def status(request, pk):
    """Reading progress as JSON, polled by the progress page."""
    imp = services.check_stalled(_import_for(request, pk))
    return JsonResponse(
        {
            "status": imp.status,
            "progress": imp.progress,
            "message": imp.progress_message,
            "pages": imp.pages,
            "error": imp.error_message,
            "url": reverse("documents:review" if imp.can_review else "documents:detail", args=[imp.pk]),
        }
    )


@login_required
def review(request, pk):
    """The review screen: source text and extracted plan side by side; save the edits or confirm the plan."""
    imp = _import_for(request, pk)
    if not imp.can_review:
        return redirect(imp)
    base = services.review_data(imp)
    if request.method != "POST":
        return render(request, "documents/review.html", services.review_context(imp, base))
    data, errors = read_post(request.POST, base, services.indicator_codes())
    if request.POST.get("action") == "save":
        services.save_review(imp, data)
        if not errors:
            messages.success(request, "Đã lưu bản rà soát.")
            return redirect("documents:review", pk=imp.pk)
        messages.warning(request, f"Đã lưu bản rà soát; còn {len(errors)} chỗ cần sửa trước khi xác nhận.")
    elif not errors:
        try:
            plan = services.confirm_import(imp, data, request.user)
        except services.ConfirmError as exc:
            messages.error(request, exc.args[0])
        else:
            messages.success(request, f"Đã lưu kế hoạch từ văn bản “{imp.original_name}”.")
            return redirect(plan)
    else:
        messages.error(request, f"Chưa lưu kế hoạch: có {len(errors)} chỗ cần sửa (xem danh sách bên dưới).")
    status_code = 400 if errors and request.POST.get("action") != "save" else 200
    return render(
        request, "documents/review.html", services.review_context(imp, data, errors), status=status_code
    )
