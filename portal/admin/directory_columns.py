"""The column names a directory file may use, as offices write them (Chinese) or in English.

Data, not page text: kept apart from directory_file.py, whose messages go through gettext.
"""

COLUMNS = {
    "name": ("单位名称", "名称", "单位", "name"),
    "emails": ("电子邮箱", "邮箱", "email", "emails"),
    "parent": ("上级单位", "上级", "parent"),
    "aliases": ("别名", "其他名称", "aliases", "alias"),
}
