#include "results.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fleet.h"

int
results_init(struct results *r, struct fleet *fleet, int check)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->lock, NULL);
	r->fleet = fleet;
	r->check = check;
	for (size_t i = 0; i < fleet->n; i++) {
		struct outcome *o = &fleet->hosts[i].outcome;
		json_t *steps = json_object_get(fleet->hosts[i].plan.plan, "steps"), *s;
		size_t j;

		*o = (struct outcome){0};
		if ((o->planned = json_array()) == NULL)
			return -1;
		json_array_foreach(steps, j, s)
			json_array_append(o->planned, json_object_get(s, "name"));
	}
	return 0;
}

void
results_release(struct results *r)
{
	for (size_t i = 0; r->fleet != NULL && i < r->fleet->n; i++) {
		struct outcome *o = &r->fleet->hosts[i].outcome;

		outcome_compact(o);
		for (size_t k = 0; k < o->nsteps; k++) {
			free(o->steps[k].name);
			free(o->steps[k].text);
		}
		free(o->steps);
		free(o->msg);
		json_decref(o->planned);
		free(o->summary);
		*o = (struct outcome){0};
	}
	pthread_mutex_destroy(&r->lock);
}

/* Under the lock. */
static void
add_step(struct results *r, size_t i, const struct agent_message *m)
{
	struct host *h = &r->fleet->hosts[i];
	struct outcome *o = &h->outcome;
	struct step_result *s, next = {.status = m->status, .line = m->line};

	if ((next.name = strdup(m->name)) == NULL || (next.text = json_dumps(m->line, JSON_COMPACT)) == NULL) {
		free(next.name);
		return;   /* the run goes on; the result is not kept */
	}
	if (o->nsteps == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 16;
		struct step_result *more = realloc(o->steps, cap * sizeof(*more));

		if (more == NULL) {
			free(next.name);
			free(next.text);
			return;
		}
		o->steps = more;
		o->cap = cap;
	}
	s = &o->steps[o->nsteps++];
	/* The observer reads the line as it came; only its text is kept. */
	*s = next;
	o->count[m->status]++;
	if (r->obs.step != NULL)
		r->obs.step(r->obs.ctx, h, s);
	s->line = NULL;
}

void
results_record(struct results *r, size_t i, const struct agent_message *m)
{
	struct outcome *o = &r->fleet->hosts[i].outcome;

	pthread_mutex_lock(&r->lock);
	if (m->type == ORCH_MSG_SUMMARY) {
		free(o->summary);
		o->summary = json_dumps(m->line, JSON_COMPACT);
		o->summary_reboot_pending = json_is_true(json_object_get(m->line, "reboot_pending"));
	} else if (m->type == ORCH_MSG_RESULT) {
		add_step(r, i, m);
	}
	pthread_mutex_unlock(&r->lock);
}

void
results_record_step(struct results *r, size_t i, const struct agent_message *m)
{
	struct outcome *o = &r->fleet->hosts[i].outcome;
	int known = 0;
	size_t j;
	json_t *s;

	pthread_mutex_lock(&r->lock);
	json_array_foreach(o->planned, j, s)
		known |= strcmp(json_string_value(s), m->name) == 0;
	if (!known)
		json_array_append_new(o->planned, json_string(m->name));
	if (m->status == ORCH_FAILED)
		o->state = HOST_FAILED;
	add_step(r, i, m);
	pthread_mutex_unlock(&r->lock);
}

void
results_step_status(struct results *r, size_t i, const char *step, enum orch_status status,
		    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	struct agent_message m = {.type = ORCH_MSG_RESULT, .status = status};

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	m.line = json_pack("{s:s, s:s, s:s, s:s}", "type", orch_message_name(ORCH_MSG_RESULT), "name", step,
			   "status", orch_status_name(status), "msg", msg);
	if (m.line == NULL)
		return;
	m.name = json_string_value(json_object_get(m.line, "name"));
	results_record_step(r, i, &m);
	json_decref(m.line);
}

static void
host_problem(struct results *r, size_t i, enum host_state state, const char *msg)
{
	struct host *h = &r->fleet->hosts[i];

	pthread_mutex_lock(&r->lock);
	h->outcome.state = state;
	free(h->outcome.msg);
	h->outcome.msg = strdup(msg);
	if (r->obs.problem != NULL)
		r->obs.problem(r->obs.ctx, h);
	pthread_mutex_unlock(&r->lock);
}

void
results_unreachable(struct results *r, size_t i, const char *msg)
{
	host_problem(r, i, HOST_UNREACHABLE, msg);
}

void
results_failed(struct results *r, size_t i, const char *msg)
{
	host_problem(r, i, HOST_FAILED, msg);
}

void
results_done(struct results *r, size_t i, double seconds, int agent_sent, int recorded_key,
	     const char *fingerprint)
{
	struct host *h = &r->fleet->hosts[i];
	struct outcome *o = &h->outcome;

	pthread_mutex_lock(&r->lock);
	o->seconds = seconds;
	o->agent_sent = agent_sent;
	o->recorded_key = recorded_key;
	snprintf(o->fingerprint, sizeof(o->fingerprint), "%s", fingerprint ? fingerprint : "");
	if (o->state == HOST_PENDING)
		o->state = o->count[ORCH_FAILED] > 0 ? HOST_FAILED : HOST_DONE;
	if (r->obs.done != NULL)
		r->obs.done(r->obs.ctx, h);
	pthread_mutex_unlock(&r->lock);
}

const struct step_result *
outcome_find(const struct outcome *o, const char *step)
{
	for (size_t k = 0; k < o->nsteps; k++) {
		if (strcmp(o->steps[k].name, step) == 0)
			return &o->steps[k];
	}
	return NULL;
}

json_t *
step_line(const struct step_result *s)
{
	/* The cache is not part of what the result is: readers hold it const. */
	struct step_result *m = (struct step_result *)s;

	if (m->line == NULL)
		m->line = json_loads(m->text, 0, NULL);
	return m->line;
}

json_t *
outcome_facts(const struct outcome *o)
{
	const struct step_result *s = outcome_find(o, ORCH_STEP_FACTS);

	return s != NULL ? json_object_get(step_line(s), "facts") : NULL;
}

void
outcome_compact(const struct outcome *o)
{
	for (size_t k = 0; k < o->nsteps; k++) {
		json_decref(o->steps[k].line);
		o->steps[k].line = NULL;
	}
}

int
outcome_reboot_pending(const struct outcome *o)
{
	if (o->state != HOST_DONE || o->summary == NULL || !o->summary_reboot_pending)
		return 0;
	/* a rolling reboot that brought the node back settled it */
	for (size_t k = 0; k < o->nsteps; k++) {
		if (strcmp(o->steps[k].name, ORCH_STEP_REBOOT) == 0 && o->steps[k].status == ORCH_CHANGED)
			return 0;
	}
	return 1;
}

int
results_drift(const struct results *r, const struct outcome *o)
{
	return r->check && o->count[ORCH_CHANGED] > 0;
}

int
results_exit_status(const struct results *r)
{
	int status = 0;

	for (size_t i = 0; i < r->fleet->n; i++) {
		const struct outcome *o = &r->fleet->hosts[i].outcome;

		if (o->state == HOST_UNREACHABLE)
			status |= EXIT_HOST_UNREACHABLE;
		else if (o->state == HOST_FAILED)
			status |= EXIT_HOST_FAILED;
		if (results_drift(r, o))
			status |= EXIT_DRIFT;
	}
	return status;
}
