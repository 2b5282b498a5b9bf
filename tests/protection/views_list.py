"""Every case-specific page and endpoint of the protection app, for the authorisation tests."""

from treem.protection.views import ACTIONS


def case_get_urls(case):
    """(route name, URL) of every GET on one case."""
    uid = case.uid
    photo = case.photos.first()
    item = case.plan_items.first()
    ref = case.referrals.first()
    sep = case.separations.first()
    transfer = case.transfers.first()
    urls = [("case", f"/bao-ve/ho-so/{uid}/")]
    urls += [
        ("print", f"/bao-ve/ho-so/{uid}/mau-{n}.docx") for n in ("01", "02", "03", "04", "05", "06", "07")
    ]
    urls += [
        ("photo", f"/bao-ve/ho-so/{uid}/anh/{photo.pk}/"),
        ("plan_item", f"/bao-ve/ho-so/{uid}/hoat-dong/{item.pk}/"),
        ("referral", f"/bao-ve/ho-so/{uid}/chuyen-gui/{ref.pk}/"),
        ("separation", f"/bao-ve/ho-so/{uid}/cach-ly/{sep.pk}/"),
        ("transfer_respond", f"/bao-ve/chuyen-giao/{transfer.pk}/"),
    ]
    urls += [("action", f"/bao-ve/ho-so/{uid}/{slug}/") for slug in ACTIONS]
    urls += [
        ("protection-case-detail", f"/api/v1/protection/cases/{uid}/"),
        ("protection-referral-detail", f"/api/v1/protection/referrals/{ref.pk}/"),
    ]
    return urls


def case_post_urls(case):
    """(route name, URL, data) of every write on one case."""
    uid = case.uid
    a = case.assignments.filter(active=True).first()
    g = case.grants.first()
    ref = case.referrals.first()
    item = case.plan_items.first()
    sep = case.separations.first()
    transfer = case.transfers.first()
    posts = [
        ("unassign", f"/bao-ve/ho-so/{uid}/phan-cong/{a.pk}/thoi/", {}),
        ("revoke", f"/bao-ve/ho-so/{uid}/cap-quyen/{g.pk}/thu-hoi/", {}),
        ("plan_item", f"/bao-ve/ho-so/{uid}/hoat-dong/{item.pk}/", {"delete": "1"}),
        ("referral", f"/bao-ve/ho-so/{uid}/chuyen-gui/{ref.pk}/", {"status": "accepted"}),
        ("separation", f"/bao-ve/ho-so/{uid}/cach-ly/{sep.pk}/", {"outcome": "về nhà"}),
        ("transfer_respond", f"/bao-ve/chuyen-giao/{transfer.pk}/", {"accept": "1"}),
        (
            "protection-referral-respond",
            f"/api/v1/protection/referrals/{ref.pk}/respond/",
            {"status": "accepted"},
        ),
    ]
    posts += [
        (
            "action",
            f"/bao-ve/ho-so/{uid}/{slug}/",
            {"reason": "x", "outcome": "close", "finding": "unfounded"},
        )
        for slug in ACTIONS
    ]
    return posts
