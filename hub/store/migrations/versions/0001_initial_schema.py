"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 17:49:30.073701
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('audit_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('audit_id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)

    op.create_table('enrollments',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('course_id', sa.String(length=64), nullable=False),
    sa.Column('enrolled_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('username', 'course_id')
    )
    op.create_table('schools',
    sa.Column('school_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('district', sa.String(length=100), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('school_id')
    )
    op.create_table('terms',
    sa.Column('term_id', sa.String(length=32), nullable=False),
    sa.Column('academic_year', sa.String(length=16), nullable=False),
    sa.Column('term_no', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('home_visit_due', sa.Date(), nullable=True),
    sa.Column('talk_due', sa.Date(), nullable=True),
    sa.Column('growth_message_due', sa.Date(), nullable=True),
    sa.Column('key_timepoints', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('term_id')
    )
    op.create_table('staff',
    sa.Column('staff_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('school_id', sa.String(length=32), nullable=False),
    sa.Column('roles', sa.String(length=200), nullable=False),
    sa.Column('subject', sa.String(length=50), nullable=False),
    sa.Column('max_mentees', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.school_id'], ),
    sa.PrimaryKeyConstraint('staff_id')
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_school_id'), ['school_id'], unique=False)

    op.create_table('studios',
    sa.Column('studio_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('host', sa.String(length=64), nullable=False),
    sa.Column('school_id', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['school_id'], ['schools.school_id'], ),
    sa.PrimaryKeyConstraint('studio_id')
    )
    op.create_table('accounts',
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=100), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('staff_id', sa.String(length=64), nullable=True),
    sa.Column('platform_roles', sa.String(length=200), nullable=False),
    sa.Column('display_name', sa.String(length=50), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.staff_id'], ),
    sa.PrimaryKeyConstraint('username')
    )
    op.create_table('cases',
    sa.Column('case_id', sa.String(length=64), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('studio_id', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('stage', sa.String(length=10), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('pii_checked', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['studio_id'], ['studios.studio_id'], ),
    sa.PrimaryKeyConstraint('case_id')
    )
    op.create_table('classes',
    sa.Column('class_id', sa.String(length=32), nullable=False),
    sa.Column('school_id', sa.String(length=32), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('head_teacher_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['head_teacher_id'], ['staff.staff_id'], ),
    sa.ForeignKeyConstraint(['school_id'], ['schools.school_id'], ),
    sa.PrimaryKeyConstraint('class_id')
    )
    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_classes_school_id'), ['school_id'], unique=False)

    op.create_table('studio_members',
    sa.Column('studio_id', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['studio_id'], ['studios.studio_id'], ),
    sa.PrimaryKeyConstraint('studio_id', 'username')
    )
    op.create_table('studio_sessions',
    sa.Column('session_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('studio_id', sa.String(length=64), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('case_ids', sa.JSON(), nullable=False),
    sa.Column('attendance', sa.JSON(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['studio_id'], ['studios.studio_id'], ),
    sa.PrimaryKeyConstraint('session_id')
    )
    with op.batch_alter_table('studio_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_studio_sessions_studio_id'), ['studio_id'], unique=False)

    op.create_table('students',
    sa.Column('student_id', sa.String(length=32), nullable=False),
    sa.Column('display_name', sa.String(length=50), nullable=False),
    sa.Column('school_id', sa.String(length=32), nullable=False),
    sa.Column('class_id', sa.String(length=32), nullable=False),
    sa.Column('gender', sa.String(length=8), nullable=False),
    sa.Column('needs_mentors', sa.Integer(), nullable=False),
    sa.Column('birth_year_month', sa.String(length=7), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.class_id'], ),
    sa.ForeignKeyConstraint(['school_id'], ['schools.school_id'], ),
    sa.PrimaryKeyConstraint('student_id')
    )
    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_students_class_id'), ['class_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_students_school_id'), ['school_id'], unique=False)

    op.create_table('teaching',
    sa.Column('staff_id', sa.String(length=64), nullable=False),
    sa.Column('class_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.class_id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.staff_id'], ),
    sa.PrimaryKeyConstraint('staff_id', 'class_id')
    )
    op.create_table('concern_flags',
    sa.Column('flag_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('student_id', sa.String(length=32), nullable=False),
    sa.Column('raised_by', sa.String(length=64), nullable=False),
    sa.Column('raised_at', sa.DateTime(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('signals', sa.JSON(), nullable=False),
    sa.Column('immediate_risk', sa.Boolean(), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('referred_to', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('guardian_informed_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['student_id'], ['students.student_id'], ),
    sa.PrimaryKeyConstraint('flag_id')
    )
    with op.batch_alter_table('concern_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_flags_student_id'), ['student_id'], unique=False)

    op.create_table('guardians',
    sa.Column('guardian_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('student_id', sa.String(length=32), nullable=False),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('contact_channel', sa.String(length=100), nullable=False),
    sa.Column('is_primary', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['student_id'], ['students.student_id'], ),
    sa.PrimaryKeyConstraint('guardian_id')
    )
    with op.batch_alter_table('guardians', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guardians_student_id'), ['student_id'], unique=False)

    op.create_table('mentor_assignments',
    sa.Column('assignment_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('term_id', sa.String(length=32), nullable=False),
    sa.Column('student_id', sa.String(length=32), nullable=False),
    sa.Column('staff_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.staff_id'], ),
    sa.ForeignKeyConstraint(['student_id'], ['students.student_id'], ),
    sa.ForeignKeyConstraint(['term_id'], ['terms.term_id'], ),
    sa.PrimaryKeyConstraint('assignment_id'),
    sa.UniqueConstraint('term_id', 'student_id', 'staff_id', name='uq_assignment_pair')
    )
    with op.batch_alter_table('mentor_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_assignments_staff_id'), ['staff_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_assignments_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_assignments_term_id'), ['term_id'], unique=False)
        batch_op.create_index('uq_assignment_one_primary', ['term_id', 'student_id'], unique=True, sqlite_where=sa.text("kind = 'primary'"), postgresql_where=sa.text("kind = 'primary'"))

    op.create_table('mentor_teams',
    sa.Column('team_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('term_id', sa.String(length=32), nullable=False),
    sa.Column('student_id', sa.String(length=32), nullable=False),
    sa.Column('lead_staff_id', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=50), nullable=False),
    sa.Column('review_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['lead_staff_id'], ['staff.staff_id'], ),
    sa.ForeignKeyConstraint(['student_id'], ['students.student_id'], ),
    sa.ForeignKeyConstraint(['term_id'], ['terms.term_id'], ),
    sa.PrimaryKeyConstraint('team_id')
    )
    with op.batch_alter_table('mentor_teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_teams_student_id'), ['student_id'], unique=False)

    op.create_table('records',
    sa.Column('record_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('student_id', sa.String(length=32), nullable=False),
    sa.Column('author', sa.String(length=64), nullable=False),
    sa.Column('term_id', sa.String(length=32), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('client_ref', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.Column('deleted_by', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['student_id'], ['students.student_id'], ),
    sa.ForeignKeyConstraint(['term_id'], ['terms.term_id'], ),
    sa.PrimaryKeyConstraint('record_id'),
    sa.UniqueConstraint('client_ref')
    )
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_records_author'), ['author'], unique=False)
        batch_op.create_index(batch_op.f('ix_records_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_records_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_records_term_id'), ['term_id'], unique=False)

    op.create_table('consents',
    sa.Column('consent_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('student_id', sa.String(length=32), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=True),
    sa.Column('scope', sa.String(length=50), nullable=False),
    sa.Column('policy_version', sa.String(length=20), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['guardian_id'], ['guardians.guardian_id'], ),
    sa.ForeignKeyConstraint(['student_id'], ['students.student_id'], ),
    sa.PrimaryKeyConstraint('consent_id')
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_student_id'), ['student_id'], unique=False)

    op.create_table('mentor_team_members',
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.staff_id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['mentor_teams.team_id'], ),
    sa.PrimaryKeyConstraint('team_id', 'staff_id')
    )


def downgrade() -> None:
    op.drop_table('mentor_team_members')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consents_student_id'))

    op.drop_table('consents')
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_records_term_id'))
        batch_op.drop_index(batch_op.f('ix_records_student_id'))
        batch_op.drop_index(batch_op.f('ix_records_kind'))
        batch_op.drop_index(batch_op.f('ix_records_author'))

    op.drop_table('records')
    with op.batch_alter_table('mentor_teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentor_teams_student_id'))

    op.drop_table('mentor_teams')
    with op.batch_alter_table('mentor_assignments', schema=None) as batch_op:
        batch_op.drop_index('uq_assignment_one_primary', sqlite_where=sa.text("kind = 'primary'"), postgresql_where=sa.text("kind = 'primary'"))
        batch_op.drop_index(batch_op.f('ix_mentor_assignments_term_id'))
        batch_op.drop_index(batch_op.f('ix_mentor_assignments_student_id'))
        batch_op.drop_index(batch_op.f('ix_mentor_assignments_staff_id'))

    op.drop_table('mentor_assignments')
    with op.batch_alter_table('guardians', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guardians_student_id'))

    op.drop_table('guardians')
    with op.batch_alter_table('concern_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_flags_student_id'))

    op.drop_table('concern_flags')
    op.drop_table('teaching')
    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_students_school_id'))
        batch_op.drop_index(batch_op.f('ix_students_class_id'))

    op.drop_table('students')
    with op.batch_alter_table('studio_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_studio_sessions_studio_id'))

    op.drop_table('studio_sessions')
    op.drop_table('studio_members')
    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_classes_school_id'))

    op.drop_table('classes')
    op.drop_table('cases')
    op.drop_table('accounts')
    op.drop_table('studios')
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_school_id'))

    op.drop_table('staff')
    op.drop_table('terms')
    op.drop_table('schools')
    op.drop_table('enrollments')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))

    op.drop_table('audit_log')
