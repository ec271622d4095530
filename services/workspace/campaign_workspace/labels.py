"""Vietnamese words for the codes the services answer with (statuses, roles, reasons). A code
with no entry here is shown as it is, so a new code is visible rather than hidden."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ROLES = {"unit": "Đơn vị", "office": "Văn phòng Sở", "council": "Hội đồng TĐKT",
         "operator": "Vận hành"}
DOSSIER_STATUS = {"draft": "Đang soạn", "submitted": "Đã nộp, chờ thẩm định",
                  "returned": "Bị trả lại", "accepted": "Đã tiếp nhận",
                  "forwarded": "Đã chuyển Hội đồng"}
NOMINEE_KINDS = {"collective": "Tập thể", "individual": "Cá nhân"}
PERIOD_KINDS = {"campaign": "Cả đợt", "month": "Tháng", "week": "Tuần"}
DELIVERY_STATUS = {"pending": "Đang chờ gửi", "sent": "Đã gửi", "failed": "Gửi lỗi, sẽ thử lại",
                   "dead": "Không gửi được"}
CHANNELS = {"email": "Thư điện tử", "webhook": "Webhook"}
RULES = {"target_reached": "Đạt chỉ tiêu", "target_lost": "Không còn đạt chỉ tiêu",
         "at_risk": "Cảnh báo nguy cơ không đạt", "digest": "Bản tin định kỳ",
         "dossier_status": "Tình trạng hồ sơ khen thưởng", "deadline": "Nhắc hạn nộp hồ sơ",
         "decided": "Quyết định khen thưởng", "silent": "Cổng không gửi dữ liệu"}
DEAD_LETTER_REASONS = {
    "invalid_json": "JSON không hợp lệ", "missing_field": "Thiếu trường bắt buộc",
    "bad_time": "Thời gian không đọc được", "unknown_channel": "Kênh không hợp lệ",
    "unknown_status": "Trạng thái không hợp lệ", "negative_fee": "Lệ phí âm",
    "bad_record": "Bản ghi sai cấu trúc"}
CAUGHT_UP = {"SERVING": "Đã xử lý kịp", "NOT_SERVING": "Đang xử lý dữ liệu tồn",
             "UNAVAILABLE": "Không kết nối được", "DEADLINE_EXCEEDED": "Không trả lời kịp",
             "NOT_FOUND": "Không báo", "UNKNOWN": "Không rõ"}
HEALTH = {"SERVING": "Hoạt động", "NOT_SERVING": "Không phục vụ",
          "UNAVAILABLE": "Không kết nối được", "DEADLINE_EXCEEDED": "Không trả lời kịp",
          "UNKNOWN": "Không rõ"}
CHANNEL_KINDS = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}
PAYMENT = {0: "Không", 1: "Cổng DVCQG", 2: "Cổng của tỉnh"}
DOSSIER_STATES = {1: "Mới đăng ký", 2: "Đã tiếp nhận", 3: "Không được tiếp nhận",
                  4: "Đang xử lý", 5: "Yêu cầu bổ sung",
                  6: "Yêu cầu thực hiện nghĩa vụ tài chính", 7: "Công dân rút hồ sơ",
                  8: "Dừng xử lý", 9: "Đã xử lý xong", 10: "Đã trả kết quả"}


def label(table: Mapping[Any, str], code: object) -> str:
    return table.get(code, str(code))

NOTICES = {
    "opened": "Đã mở hồ sơ. Tải lên các tài liệu còn thiếu rồi nộp hồ sơ.",
    "attached": "Đã tải lên tài liệu.",
    "submitted": "Đã nộp hồ sơ cho Văn phòng Sở.",
    "accepted": "Đã tiếp nhận hồ sơ.",
    "returned": "Đã trả lại hồ sơ cho đơn vị kèm nội dung cần bổ sung.",
    "forwarded": "Đã chuyển hồ sơ đến Hội đồng thi đua – khen thưởng.",
    "decided": "Đã ghi nhận quyết định khen thưởng.",
    "revoked": "Đã thu hồi quyết định khen thưởng.",
    "resent": "Đã yêu cầu gửi lại thông báo.",
}

CONTENT_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word (DOCX)",
    "application/msword": "Word (DOC)",
    "image/jpeg": "Ảnh JPEG", "image/png": "Ảnh PNG",
}
