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
        ("Manage Submissions\n{%- endblock -%}", "提交情况\n{%- endblock -%}"),
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

LOADING = ("Loading, please wait...", "正在加载，请稍候…")
SCORE_COLUMNS = [
    (">Overall Score</th>", ">总分</th>"),
    (">Code Score</th>", ">代码题得分</th>"),
    (">Written Score</th>", ">问答题得分</th>"),
    (">Task Score</th>", ">任务得分</th>"),
]
TEMPLATES["gradebook_base.tpl"] = [("Manual Grading\n{%- endblock -%}", "人工评分\n{%- endblock -%}"), *SIDEBAR]
TEMPLATES["manage_students_base.tpl"] = [("Manage Students\n{%- endblock -%}", "学员名单\n{%- endblock -%}"), *SIDEBAR]
TEMPLATES.update({
    # manual grading: an assignment's notebooks, then a notebook's submissions
    "gradebook_notebooks.tpl": [
        (">Manual Grading</a>", ">人工评分</a>"),
        ("<th>Notebook ID</th>", "<th>笔记本</th>"),
        (">Avg. Score</th>", ">平均得分</th>"),
        (">Avg. Code Score</th>", ">代码题平均得分</th>"),
        (">Avg. Written Score</th>", ">问答题平均得分</th>"),
        (">Avg. Task Score</th>", ">任务平均得分</th>"),
        (">Needs Manual Grade?</th>", ">待人工评分？</th>"),
        LOADING,
    ],
    "gradebook_notebook_submissions.tpl": [
        (">Manual Grading</a>", ">人工评分</a>"),
        ('onclick="toggleAllNames()">Show All Names</button>', 'onclick="toggleAllNames()">显示全部姓名</button>'),
        ("<th>Submission ID</th>", "<th>提交</th>"),
        *SCORE_COLUMNS,
        (">Needs Manual Grade?</th>", ">待人工评分？</th>"),
        (">Tests Failed?</th>", ">检查未通过？</th>"),
        (">Flagged?</th>", ">已标记？</th>"),
        LOADING,
    ],
    # the trainer's list of teachers (nbgrader's "students")
    "manage_students.tpl": [
        ('<li class="active">Students</li>', '<li class="active">学员</li>'),
        ("<th>Name</th>", "<th>姓名</th>"),
        (">Student ID</th>", ">账号</th>"),
        (">Email</th>", ">电子邮箱</th>"),
        (">Overall Score</th>", ">总分</th>"),
        (">Edit Student</th>", ">编辑</th>"),
        LOADING,
        ("Add new student...", "添加学员…"),
    ],
    "manage_students_assignments.tpl": [
        (">Students</a>", ">学员</a>"),
        ("<th>Assignment ID</th>", "<th>作业</th>"),
        *SCORE_COLUMNS,
        (">Needs Manual Grade?</th>", ">待人工评分？</th>"),
        LOADING,
    ],
    "manage_students_notebook_submissions.tpl": [
        (">Students</a>", ">学员</a>"),
        ("<th>Notebook ID</th>", "<th>笔记本</th>"),
        *SCORE_COLUMNS,
        (">Needs manual grade?</th>", ">待人工评分？</th>"),
        (">Tests failed?</th>", ">检查未通过？</th>"),
        (">Flagged?</th>", ">已标记？</th>"),
        LOADING,
    ],
})

# The grading page of one submission: nbconvert templates of nbgrader/server_extensions/formgrader/templates,
# rendered by the formgrader's exporter, by their path below that folder.
FORMGRADE_MATHJAX_STUB = """<script type="text/javascript">
/* No MathJax from a public CDN: the training notebooks hold no formulas, and formgrade.js only waits for
   MathJax's "End" signal before it selects the first score (hub.localize.formgrader). */
window.MathJax = {Hub: {Startup: {signal: {Interest: function (listener) {
  setTimeout(function () { listener("End"); }, 0);
}}}}};
</script>"""
FORMGRADE_TEMPLATES: dict[str, list[tuple[str, str]]] = {
    "formgrade/index.html.j2": [
        ("<!DOCTYPE html>\n<html>", '<!DOCTYPE html>\n<html lang="zh-CN">'),
        ("{{ mathjax() }}", FORMGRADE_MATHJAX_STUB),
        ('<span class="pull-right">Submission {{ resources.index + 1 }} / {{ resources.total }}</span>',
         '<span class="pull-right">第 {{ resources.index + 1 }} / {{ resources.total }} 份</span>'),
        ('class="btn btn-warning mark-graded">Resolve</button>', 'class="btn btn-warning mark-graded">确认</button>'),
        ('class="btn btn-success full-credit">Full credit</button>',
         'class="btn btn-success full-credit">满分</button>'),
        ('class="btn btn-danger no-credit">No credit</button>', 'class="btn btn-danger no-credit">零分</button>'),
        ("type=\"number\" /> (extra credit)", "type=\"number\" />（加分）"),
        ('<span class="nbgrader-label">Student\'s task</span>', '<span class="nbgrader-label">学员的任务</span>'),
        ('<span class="nbgrader-label">Student\'s answer</span>', '<span class="nbgrader-label">学员的回答</span>'),
    ],
    # nbconvert's own cell prompts, as JupyterLab in Chinese shows them: the number alone
    "classic/base.html.j2": [
        ('In&nbsp;[{{ cell.execution_count|replace(None, "&nbsp;") }}]:',
         '[{{ cell.execution_count|replace(None, "&nbsp;") }}]:'),
        ("In&nbsp;[&nbsp;]:", "[&nbsp;]:"),
        ('Out[{{ cell.execution_count|replace(None, "&nbsp;") }}]:', '[{{ cell.execution_count|replace(None, "&nbsp;") }}]:'),
        ("Out[&nbsp;]:", "[&nbsp;]:"),
    ],
    "formgrade/formgrade_macros.html.j2": [
        ('title="{{ resources.index }} remaining"', 'title="前面还有 {{ resources.index }} 份"'),
        ("&larr; Prev\n", "&larr; 上一份\n"),
        (">Manual Grading</a>", ">人工评分</a>"),
        ('title="Open live notebook"', 'title="打开笔记本"'),
        ("Submission #{{ resources.index + 1 }}", "第 {{ resources.index + 1 }} 份"),
        # a teacher's name as the roster has it (whole, in the last name), never "name, " or the login alone
        ("{%- if resources.last_name and resources.first_name -%}\n"
         "                {{ resources.last_name }}, {{ resources.first_name }}",
         "{%- if resources.last_name or resources.first_name -%}\n"
         "                {{ resources.last_name or \"\" }}{{ resources.first_name or \"\" }}"),
        ('title="{{ resources.total - (resources.index + 1) }} remaining"',
         'title="后面还有 {{ resources.total - (resources.index + 1) }} 份"'),
        ("Next &rarr;", "下一份 &rarr;"),
        ('{title: "Show student name",', '{title: "显示姓名",'),
        ('{title: "Hide student name",', '{title: "隐藏姓名",'),
    ],
}

# one name for a teacher in the formgrader's lists: the roster's (whole, in the last name), else the login
def name_or_login(login_key: str) -> str:
    return f'[last_name, first_name].filter(function (part) {{ return part; }}).join("") || this.model.get("{login_key}")'

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

SCRIPTS["utils.js"] += [
    ('.text("OK"));', '.text("确定"));'),
    # DataTables' own texts (search box, empty table, sorting hints)
    ("        saveState: true,\n",
     "        saveState: true,\n        language: {search: \"搜索：\", zeroRecords: \"没有符合条件的记录\", "
     "emptyTable: \"暂无数据\",\n            aria: {sortAscending: \"：升序排列\", sortDescending: \"：降序排列\"}},\n"),
]
SCRIPTS.update({
    "gradebook_assignments.js": [
        ('duedate = "None";\n            display_duedate = "None";',
         'duedate = "None";\n            display_duedate = "未设置";'),
    ],
    "gradebook_notebook_submissions.js": [
        ('if (last_name !== null && first_name !== null) {\n            name = last_name + ", " + first_name\n        }',
         'name = ' + name_or_login("student") + ';'),
        ('.text("Submission #" + (this.model.get("index") + 1))', '.text("第 " + (this.model.get("index") + 1) + " 份")'),
        ('{title: "Show student name"}', '{title: "显示姓名"}'),
        ('{title: "Hide student name"}', '{title: "隐藏姓名"}'),
        ('button.innerHTML = "Show All Names";', 'button.innerHTML = "显示全部姓名";'),
        ('button.innerHTML = "Hide All Names";', 'button.innerHTML = "隐藏全部姓名";'),
        ('(button.innerHTML === "Show All Names")', '(button.innerHTML === "显示全部姓名")'),
    ],
    "manage_students.js": [
        ('if (last_name === null) last_name = "None";\n        var first_name = this.model.get("first_name");\n'
         '        if (first_name === null) first_name = "None";\n        var name = last_name + ", " + first_name;',
         'var first_name = this.model.get("first_name");\n        var name = ' + name_or_login("id") + ';'),
        ('if (email === null) email = "None";', 'if (email === null) email = "—";'),
        ('.text("Student ID"));', '.text("账号"));'),
        ('.text("First name (optional)"));', '.text("名（可选）"));'),
        ('.text("Last name (optional)"));', '.text("姓名（可选）"));'),
        ('.text("Email (optional)"));', '.text("电子邮箱（可选）"));'),
        ('.text("Save"));', '.text("保存"));'),
        ('.text("Cancel"));', '.text("取消"));'),
        ('"Editing " + this.model.get("id")', '"编辑 " + this.model.get("id")'),
        ('this.$modal_save.text("Saving...");', 'this.$modal_save.text("正在保存…");'),
        ('"Add New Student"', '"添加学员"'),
    ],
    "manage_students_assignments.js": [
        ('name + " (no submission)"', 'name + "（未提交）"'),
        ('name + " (not autograded)"', 'name + "（未自动评分）"'),
    ],
    "manage_students_notebook_submissions.js": [
        ('name + " (file missing)"', 'name + "（文件缺失）"'),
    ],
    "formgrade.js": [
        ('elem.text("Submission flagged");', 'elem.text("已标记这份提交");'),
        ('elem.text("Submission unflagged");', 'elem.text("已取消标记");'),
    ],
    "formgrade_models.js": [
        ('"Type any comments here (supports Markdown and MathJax)"', '"在这里写评语（支持 Markdown）"'),
    ],
})

# What the trainer's buttons report (manage_assignments.js, manage_submissions.js): "<what happened>'<name>'."
ACTION_MESSAGES = {
    "manage_assignments.js": [
        ("\"Successfully created the student version of '\"", "\"已生成教师版：'\""),
        ("\"There was an error creating the student version of '\"", "\"生成教师版时出错：'\""),
        ("\"Successfully unreleased '\"", "\"已撤回发布：'\""),
        ("\"There was an error unreleasing '\"", "\"撤回发布时出错：'\""),
        ("\"Successfully released '\"", "\"已发布：'\""),
        ("\"There was an error releasing '\"", "\"发布时出错：'\""),
        ("\"Successfully collected submissions of '\"", "\"已收取提交：'\""),
        ("\"There was an error collecting '\"", "\"收取时出错：'\""),
        ("\"There was an error collecting submissions of '\"", "\"收取提交时出错：'\""),
        ("\"Successfully generated feedback of '\"", "\"已生成反馈：'\""),
        ("\"There was an error generating feedback of '\"", "\"生成反馈时出错：'\""),
        ("\"Successfully released feedback of '\"", "\"已发布反馈：'\""),
        ("\"There was an error releasing feedback of '\"", "\"发布反馈时出错：'\""),
        ("\"Assignment names may not include the '+' character.\"", "\"作业名称里不能有“+”。\""),
    ],
    "manage_submissions.js": [
        ('"Please wait..."', '"请稍候…"'),
        ('"Success"', '"完成"'),
        ('"Error"', '"出错了"'),
        ("\"Successfully autograded '\"", "\"已自动评分：'\""),
        ("\"There was an error autograding '\"", "\"自动评分时出错：'\""),
        ("\"Successfully generated feedback for '\"", "\"已生成反馈：'\""),
        ("\"There was an error generating feedback for '\"", "\"生成反馈时出错：'\""),
        ("\"Successfully released feedback for '\"", "\"已发布反馈：'\""),
        ("\"There was an error releasing feedback for '\"", "\"发布反馈时出错：'\""),
        ("\"' for student '\"", "\"'，教师 '\""),
    ],
}
for _script, _phrases in ACTION_MESSAGES.items():
    SCRIPTS[_script] += _phrases
