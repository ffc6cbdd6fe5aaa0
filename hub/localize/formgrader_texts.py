"""The formgrader's English and its Chinese (nbgrader 0.9.6), by file: see ``hub.localize.formgrader``.

Each phrase is replaced where it occurs in that one file, in the order listed (longer phrases first where
one contains another). ``tests/unit/test_localize.py`` checks that every phrase is still in nbgrader.
"""

SIDEBAR = [
    (">Manage Assignments</a>", ">管理作业</a>"),
    (">Manual Grading</a>", ">人工评分</a>"),
    (">Manage Students</a>", ">学员名单</a>"),
]
SIDEBAR_OF_BASE = [(">Gradebook</a>", ">人工评分</a>") if english == ">Manual Grading</a>" else (english, chinese)
                   for english, chinese in SIDEBAR]

MANAGE_ASSIGNMENTS_INSTRUCTIONS = """        <ol>
          <li>To <b>create</b> an assignment, click the "Add new assignment..." button below.</li>
          <li>To <b>edit assignment files</b>, click on the name of an assignment.</li>
          <li>To <b>edit the assignment metadata</b>, click on the edit button.</li>
          <li>To <b>generate</b> the student version of an assignment, click on the generate button.</li>
          <li>To <b>preview</b> the student version of an assignment, click on the preview button.</li>
          <li><i>(JupyterHub only)</i> To <b>release</b> the assignment to students, click the release button.
          You can "unrelease" an assignment by clicking again, though note some students may have
          already accessed the assignment. <b>Note</b> that for the release button to become
          available, the <code>course_id</code> option must be set in <code>nbgrader_config.py</code>.
          For details, see <a href="http://nbgrader.readthedocs.io/en/stable/configuration/config_options.html">the documentation</a>.</li>
          <li><i>(JupyterHub only)</i> To <b>collect</b> assignments, click the collect button.</li>
          <li>To <b>autograde</b> submissions, click on the number of collected submissions. You must run
          the autograder on the submissions before you can manually grade them.</li>
        </ol>"""
MANAGE_ASSIGNMENTS_INSTRUCTIONS_ZH = """        <ol>
          <li>作业由培训师在服务器上用 <code>mentorhub course release</code> 发布（或点击下方“发布”按钮）。</li>
          <li>点击作业名称，查看这份作业的源文件。</li>
          <li>点击“预览”，查看教师拿到的版本。</li>
          <li>点击“提交数”，查看每位教师的提交、自动评分结果和待人工评分的部分。</li>
          <li>人工评分在“人工评分”页完成；评完后生成并发布反馈（或在服务器上用 <code>mentorhub course feedback</code>）。</li>
        </ol>"""

MANAGE_SUBMISSIONS_INSTRUCTIONS = """        <p>
          <b>Note:</b> Here you can autograde individual students' submissions by
          clicking on the autograde icons below. If you want to autograde
          all submissions at once, you will need to do this via the
          <a target="_blank" href="{{ base_url }}/terminals/1">command line</a>:
        </p>
        <p>
        <pre>
cd "{{ course_dir }}"
nbgrader autograde "{{ assignment_id }}"</pre>
        </p>"""
MANAGE_SUBMISSIONS_INSTRUCTIONS_ZH = """        <p>
          点击下方的自动评分按钮可为单个教师评分；为全部提交评分请在服务器上运行：
        </p>
        <p>
        <pre>
mentorhub course autograde 课程代码 "{{ assignment_id }}"</pre>
        </p>"""

# Jinja templates of nbgrader/server_extensions/formgrader/templates, by template name
TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "base.tpl": [
        ("<title>nbgrader formgrade</title>", "<title>评分 · 导师成长平台</title>"),
        ("<!doctype html>\n<head>", "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n  <meta charset=\"utf-8\">\n"
         "  <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"),
        ("<h1>nbgrader</h1>", "<h1>评分</h1>"),
        *SIDEBAR_OF_BASE,
    ],
    "manage_assignments.tpl": [
        ("Manage Assignments\n{%- endblock -%}", "管理作业\n{%- endblock -%}"),
        *SIDEBAR,
        ('<li class="active">Assignments</li>', '<li class="active">作业</li>'),
        ("Instructions (click to expand)", "使用说明（点击展开）"),
        (MANAGE_ASSIGNMENTS_INSTRUCTIONS, MANAGE_ASSIGNMENTS_INSTRUCTIONS_ZH),
        ("Current configuration (click to expand)", "当前配置（点击展开）"),
        ("<th>Name</th>", "<th>作业</th>"),
        (">Due Date</th>", ">截止日期</th>"),
        (">Status</th>", ">状态</th>"),
        (">Edit</th>", ">编辑</th>"),
        (">Generate</th>", ">生成</th>"),
        (">Preview</th>", ">预览</th>"),
        (">Release</th>", ">发布</th>"),
        (">Collect</th>", ">收取</th>"),
        ("># Submissions</th>", ">提交数</th>"),
        (">Generate Feedback</th>", ">生成反馈</th>"),
        (">Release Feedback</th>", ">发布反馈</th>"),
        ("Loading, please wait...", "正在加载，请稍候…"),
        ("Add new assignment...", "新建作业…"),
    ],
    "manage_submissions.tpl": [
        *SIDEBAR,
        (">Assignments</a>", ">作业</a>"),
        ("Instructions (click to expand)", "使用说明（点击展开）"),
        (MANAGE_SUBMISSIONS_INSTRUCTIONS, MANAGE_SUBMISSIONS_INSTRUCTIONS_ZH),
        ("<th>Student Name</th>", "<th>姓名</th>"),
        (">Student ID</th>", ">账号</th>"),
        (">Timestamp</th>", ">提交时间</th>"),
        (">Status</th>", ">状态</th>"),
        (">Score</th>", ">得分</th>"),
        (">Autograde</th>", ">自动评分</th>"),
        (">Generate Feedback</th>", ">生成反馈</th>"),
        (">Release Feedback</th>", ">发布反馈</th>"),
        ("Loading, please wait...", "正在加载，请稍候…"),
    ],
    "gradebook_base.tpl": SIDEBAR,
    "gradebook_assignments.tpl": [
        ('<li class="active">Manual Grading</li>', '<li class="active">人工评分</li>'),
        ("<th>Assignment ID</th>", "<th>作业</th>"),
        (">Due Date</th>", ">截止日期</th>"),
        (">Submissions</th>", ">提交数</th>"),
        (">Score</th>", ">平均得分</th>"),
        ("Loading, please wait...", "正在加载，请稍候…"),
    ],
    "manage_students_base.tpl": SIDEBAR,
}

# Scripts of nbgrader/server_extensions/formgrader/static/js, by file name
SCRIPTS: dict[str, list[tuple[str, str]]] = {
    # Links to an assignment's folders go to this service's own pages, not to the server root (/hub/tree/...).
    "utils.js": [('.attr("href", prefix + path)', '.attr("href", base_url + prefix + path)')],
    "manage_assignments.js": [
        ('.text("draft")', '.text("草稿")'),
        ('.text("released")', '.text("已发布")'),
        ('duedate = "None";\n            display_duedate = "None";',
         'duedate = "None";\n            display_duedate = "未设置";'),
        ('"Please wait..."', '"请稍候…"'),
        ('"Saving..."', '"正在保存…"'),
        ('"Success"', '"完成"'),
        ('"Error"', '"出错了"'),
        ('"Save"', '"保存"'),
        ('"Cancel"', '"取消"'),
        ('"Due date (optional)"', '"截止日期（可选）"'),
        ('"Timezone as UTC offset (optional)"', '"时区（相对 UTC 的偏移，可选）"'),
        ('"Add New Assignment"', '"新建作业"'),
        ('"Editing "', '"编辑 "'),
    ],
    "manage_submissions.js": [
        # a teacher without a name in the gradebook shows as their login name, never "None, None"
        ('if (last_name === null) last_name = "None";\n        if (first_name === null) first_name = "None";\n'
         '        var name = last_name + ", " + first_name;',
         'var name = [last_name, first_name].filter(function (part) { return part; }).join("")'
         ' || this.model.get("student");'),
        ('.text("needs autograding")', '.text("待自动评分")'),
        ('.text("needs manual grading")', '.text("待人工评分")'),
        ('.text("graded")', '.text("已评分")'),
        ('display_timestamp = "None";', 'display_timestamp = "—";'),
    ],
}
