"""The eight directions of the federal project, in their official order."""

DIRECTIONS = [
    ("znanie", "Знание", "direction"),
    ("zdorovie", "Здоровье", "direction"),
    ("tvorchestvo", "Творчество", "direction"),
    ("vospitanie", "Воспитание", "direction"),
    ("proforientatsiya", "Профориентация", "direction"),
    ("uchitel", "Учитель. Школьная команда", "condition"),
    ("klimat", "Школьный климат", "condition"),
    ("sreda", "Образовательная среда", "condition"),
]
