"""The English of nbgrader's JupyterLab extension (nbgrader 0.9.6) and its Chinese: see ``hub.localize.lab``.

Each phrase is a piece of the extension's compiled JavaScript, quotes included, so that only the text people
read changes (the literal ``\\n`` inside the panel's HTML string is JavaScript's own escape). Teachers see the
"培训作业" menu, the assignment list and the 检查 (validate) button of a notebook; the instructor parts (course
list, formgrader, create assignment) are off on teachers' servers but translated all the same.
"""

MENU = "培训作业"
ASSIGNMENT_LIST = "作业列表"

NBGRADER_LAB: list[tuple[str, str]] = [
    # the menu and the panel's tab
    ('.title.label="Nbgrader"', f'.title.label="{MENU}"'),
    ('label:"Assignment List"', f'label:"{ASSIGNMENT_LIST}"'),
    ('.title.label="Assignments"', f'.title.label="{ASSIGNMENT_LIST}"'),
    ('label:"Course List"', 'label:"课程列表"'),
    ('.title.label="Courses"', '.title.label="课程列表"'),
    ('label:"Formgrader (local)"', 'label:"评分（本地）"'),
    ('label:"Formgrader"', 'label:"评分"'),
    ('.title.label="Formgrader"', '.title.label="评分"'),
    ('label:"Create assignment"', 'label:"制作作业"'),
    ('.title.label="Create Assignment"', '.title.label="制作作业"'),
    ('.title.caption="Nbgrader Create Assignment"', '.title.caption="制作作业"'),
    # the assignment list panel
    (">Released, downloaded, and submitted assignments for course:<", ">课程：<"),
    ('id="course_list_default">Loading, please wait...<', 'id="course_list_default">正在加载，请稍候…<'),
    (">Toggle Dropdown<", ">选择课程<"),
    ('title="Refresh assignments list"', 'title="刷新作业列表"'),
    ("\\n        Released assignments\\n", "\\n        可领取的作业\\n"),
    ("\\n        Downloaded assignments\\n", "\\n        已领取的作业\\n"),
    ("\\n        Submitted assignments\\n", "\\n        已提交的作业\\n"),
    ("<div> There are no assignments to fetch. </div>", "<div> 暂无可领取的作业。 </div>"),
    ("<div> There are no downloaded assignments. </div>", "<div> 暂无已领取的作业。 </div>"),
    ("<div> There are no submitted assignments. </div>", "<div> 暂无已提交的作业。 </div>"),
    ("<div> Loading, please wait... </div>", "<div> 正在加载，请稍候… </div>"),
    ('innerText="No courses found."', 'innerText="还没有加入任何培训课程。"'),
    ('innerText="Error fetching courses!"', 'innerText="课程列表加载失败，请稍后刷新。"'),
    ('innerText="Fetch"', 'innerText="领取"'),
    ('innerText="Fetching..."', 'innerText="正在领取…"'),
    ('innerText="Submit"', 'innerText="提交"'),
    ('innerText="submitting..."', 'innerText="正在提交…"'),
    ('innerText="Fetch Feedback"', 'innerText="领取反馈"'),
    ('innerText="Fetching Feedback..."', 'innerText="正在领取反馈…"'),
    ('innerText=" (view feedback)"', 'innerText="（查看反馈）"'),
    ('innerText=" (feedback available to fetch)"', 'innerText="（有反馈可领取）"'),
    ('innerText="Error fetching assignment."', 'innerText="领取作业失败。"'),
    ('innerText="Error submitting assignment."', 'innerText="提交作业失败。"'),
    ('innerText="Error fetching feedback."', 'innerText="领取反馈失败。"'),
    ('innerText="Error validating assignment."', 'innerText="检查作业失败。"'),
    ('"Assignment not submitted:"', '"作业没有提交："'),
    ('title:"Invalid Submission"', 'title:"提交未成功"'),
    # validating a notebook (the button in the notebook's toolbar and in the list)
    ('innerText="Validate"', 'innerText="检查"'),
    ('innerText="Validating..."', 'innerText="正在检查…"'),
    ('label:"Validate"', 'label:"检查"'),
    ('setButtonLabel(e="Validate")', 'setButtonLabel(e="检查")'),
    ('setButtonLabel("Validating...")', 'setButtonLabel("正在检查…")'),
    ('tooltip:"Validate Assignment"', 'tooltip:"检查作业"'),
    ('title:"Validation Results"', 'title:"检查结果"'),
    ('title:"Validation failed"', 'title:"检查未完成"'),
    ('body:"Cannot save notebook"', 'body:"笔记本无法保存"'),
    ('"Success! Your notebook passes all the tests."', '"通过：你的笔记本通过了全部检查。"'),
    ('"The following cell failed:"', '"以下单元格没有通过："'),
    ('"The following cell passed:"', '"以下单元格通过了："'),
    ('"The source of the following cell has changed, but it should not have!"',
     '"以下单元格的内容被改动了，但它不应被修改！"'),
    ('"There was an error running the validate command:"', '"运行检查时出错："'),
    ('title:"Version Mismatch"', 'title:"版本不一致"'),
]
