'use strict';
// armscan console: plain JavaScript, no dependencies. Every action has a key.
(function () {
  const view = document.body.dataset.view;
  const $ = (s) => document.querySelector(s);
  const say = (m) => { const e = $('#message'); if (e) e.textContent = m; };
  async function api(method, url, body) {
    const opt = { method, headers: {}, credentials: 'same-origin' };
    if (body !== undefined) { opt.headers['Content-Type'] = 'application/json'; opt.body = JSON.stringify(body); }
    const r = await fetch(url, opt);
    if (!r.ok) { let m = r.status + ''; try { m = (await r.json()).error; } catch (e) {} throw new Error(m); }
    return (r.headers.get('content-type') || '').startsWith('application/json') ? r.json() : r;
  }
  const lo = $('#logout');
  if (lo) lo.addEventListener('click', async () => { await api('POST', '/api/logout'); location.href = '/'; });
  const typing = (ev) => ev.target && (ev.target.tagName === 'INPUT' || ev.target.tagName === 'SELECT');

  if (view === 'login') {
    $('#login').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try { await api('POST', '/api/login', { operator: $('#operator').value }); location.reload(); }
      catch (e) { say(e.message); }
    });
  }

  if (view === 'queue') {
    let rows = [], sel = 0;
    const params = new URLSearchParams(location.search);
    if (params.get('verdict')) $('#verdict').value = params.get('verdict');
    if (params.get('state')) $('#state').value = params.get('state');
    async function load() {
      const q = await api('GET', '/api/queue?verdict=' + $('#verdict').value + '&state=' + $('#state').value);
      rows = q.scans;
      $('#count').textContent = rows.length + ' shown of ' + q.total;
      const tb = $('#queue tbody');
      tb.replaceChildren();
      rows.forEach((s, i) => {
        const tr = document.createElement('tr');
        tr.className = s.status + (i === sel ? ' sel' : '');
        const d = s.decision ? s.decision.decision + (s.decision.category ? ' (' + s.decision.category + ')' : '') + ' by ' + s.decision.operator : '';
        const cells = [s.seq, s.name, s.status === 'error' ? 'FAILED: ' + (s.error || '') : s.status,
          s.categories.join(', '), s.top_score == null ? '' : s.top_score.toFixed(2), d];
        cells.forEach((c, j) => { const td = document.createElement('td'); td.textContent = c; if (j === 2) td.className = 'v'; tr.appendChild(td); });
        tr.addEventListener('click', () => { location.href = '/scan/' + s.id; });
        tb.appendChild(tr);
      });
    }
    const reload = () => load().catch((e) => { $('#count').textContent = e.message; });
    $('#verdict').addEventListener('change', reload);
    $('#state').addEventListener('change', reload);
    reload();
    setInterval(reload, 2000);
    document.addEventListener('keydown', (ev) => {
      if (typing(ev)) return;
      if (ev.key === 'j') { sel = Math.min(sel + 1, rows.length - 1); reload(); }
      else if (ev.key === 'k') { sel = Math.max(sel - 1, 0); reload(); }
      else if (ev.key === 'Enter' && rows[sel]) location.href = '/scan/' + rows[sel].id;
      else if (ev.key === 'f') {
        api('GET', '/api/queue?verdict=flagged&state=undecided').then((q) => { if (q.scans[0]) location.href = '/scan/' + q.scans[0].id; else $('#count').textContent = 'nothing flagged left'; });
      } else if (ev.key === 'r') location.href = '/report';
    });
  }

  if (view === 'scan') {
    const id = document.body.dataset.id;
    const shownAt = performance.now();
    const on = new Set(), used = new Set();
    let contrast = 1, gamma = 1, zoom = 1, panX = 0, panY = 0, boxes = true, pendingThreat = false, scan = null;
    const img = $('#image'), stage = $('#stage'), vp = $('#viewport');
    function place() { stage.style.transform = 'translate(' + panX + 'px,' + panY + 'px) scale(' + zoom + ')'; $('#t-zoom').textContent = zoom + 'x'; }
    function fit() {
      if (!img.naturalWidth) return;
      zoom = 1; panX = 0; panY = 0;
      const s = Math.min(vp.clientWidth / img.naturalWidth, vp.clientHeight / img.naturalHeight, 1);
      img.style.width = img.naturalWidth * s + 'px'; img.style.height = img.naturalHeight * s + 'px';
      drawBoxes(); place();
    }
    function imageUrl() {
      const t = ['organic-strip', 'inorganic-strip', 'high', 'low', 'edges', 'negative'].filter((x) => on.has(x));
      return '/api/scans/' + id + '/image?tool=' + t.join(',') + '&contrast=' + contrast.toFixed(2) + '&gamma=' + gamma.toFixed(2);
    }
    function refresh() {
      img.src = imageUrl();
      ['negative', 'high', 'low', 'organic-strip', 'inorganic-strip', 'edges'].forEach((t) => {
        const e = $('#t-' + t); e.textContent = on.has(t) ? 'on' : ''; e.className = on.has(t) ? 'on' : '';
      });
      $('#t-contrast').textContent = contrast.toFixed(2); $('#t-gamma').textContent = gamma.toFixed(2);
      $('#t-boxes').textContent = boxes ? 'on' : 'off';
      $('#boxes').className = boxes ? '' : 'hidden';
    }
    function drawBoxes() {
      const layer = $('#boxes'); layer.replaceChildren();
      if (!scan || !scan.record.width) return;
      const sx = img.clientWidth / scan.record.width, sy = img.clientHeight / scan.record.height;
      scan.record.detections.forEach((d) => {
        const b = d.box, el = document.createElement('div'), lab = document.createElement('span');
        el.className = 'box' + (scan.record.status === 'review' ? ' review' : '');
        el.style.left = b[0] * sx + 'px'; el.style.top = b[1] * sy + 'px';
        el.style.width = (b[2] - b[0]) * sx + 'px'; el.style.height = (b[3] - b[1]) * sy + 'px';
        lab.textContent = d.class + ' · ' + d.category + ' · ' + d.score.toFixed(2);
        el.appendChild(lab); layer.appendChild(el);
      });
    }
    function toggle(t) { if (on.has(t)) on.delete(t); else { on.add(t); used.add(t); } refresh(); }
    async function loadScan() {
      scan = await api('GET', '/api/scans/' + id);
      const r = scan.record;
      $('#title').textContent = '#' + scan.seq + ' ' + r.scan;
      $('#verdict').textContent = r.status === 'error' ? 'FAILED (never clear): ' + r.error
        : 'engine: ' + r.status + (scan.top_score == null ? '' : ' · top ' + scan.top_score.toFixed(2)) + (scan.categories.length ? ' · ' + scan.categories.join(', ') : '');
      const d = scan.decision;
      $('#state').textContent = d ? 'decided: ' + d.decision + (d.category ? ' (' + d.category + ')' : '') + ' by ' + d.operator + ' at ' + d.decided_utc : 'undecided';
      const dl = $('#detections'); dl.replaceChildren();
      r.detections.forEach((x) => { const li = document.createElement('li'); li.textContent = x.class + ' (' + x.category + ') ' + x.score.toFixed(2); dl.appendChild(li); });
      const hl = $('#history'); hl.replaceChildren();
      scan.decisions.forEach((x) => { const li = document.createElement('li'); li.textContent = x.decided_utc + ' ' + x.operator + ': ' + x.decision + (x.category ? ' (' + x.category + (x.fine_class ? ', ' + x.fine_class : '') + (x.rounds != null ? ', ' + x.rounds + ' rounds' : '') + ')' : '') + (x.note ? ' — ' + x.note : ''); hl.appendChild(li); });
      if (scan.has_image) refresh(); else { img.className = 'hidden'; say('no image for this scan'); }
    }
    img.addEventListener('load', () => { if (!img.style.width) fit(); else drawBoxes(); });
    // A threat's detail: the category select filters the fine classes; rounds for ammunition.
    const catSel = $('#threat-category'), fineSel = $('#fine-class'), roundsIn = $('#rounds');
    function filterFine() {
      const c = catSel.value;
      fineSel.querySelectorAll('optgroup').forEach((g) => { g.hidden = c !== '' && g.dataset.category !== c; });
      const opt = fineSel.selectedOptions[0];
      if (opt && opt.value && c && opt.dataset.category !== c) fineSel.value = '';
      $('#rounds-field').className = c === 'ammunition' ? '' : 'hidden';
      if (c !== 'ammunition') roundsIn.value = '';
    }
    catSel.addEventListener('change', () => { filterFine(); catSel.blur(); });
    fineSel.addEventListener('change', () => {
      const opt = fineSel.selectedOptions[0];
      if (opt && opt.value && !catSel.value) { catSel.value = opt.dataset.category; filterFine(); }
      fineSel.blur();
    });
    $('#record-threat').addEventListener('click', () => {
      if (!catSel.value) { say('pick a category first (or press t then 1-4)'); return; }
      decide('threat', catSel.value);
    });
    async function decide(decision, category) {
      const body = { decision, note: $('#note').value, tools: Array.from(used), display_to_decision_ms: Math.round(performance.now() - shownAt) };
      if (category) {
        body.category = category;
        const opt = fineSel.selectedOptions[0];
        if (opt && opt.value) {
          if (opt.dataset.category !== category) { say('fine class ' + opt.value + ' is not ' + category + ': change it or pick "fine class…"'); return; }
          body.fine_class = opt.value;
        }
        const rounds = roundsIn.value.trim();
        if (rounds !== '') {
          if (category !== 'ammunition') { say('rounds are for ammunition only: empty the rounds field'); return; }
          body.rounds = Number(rounds);
        }
      }
      try {
        await api('POST', '/api/scans/' + id + '/decisions', body);
        say('recorded: ' + decision + (category ? ' (' + category + ')' : ''));
        if (scan.next) location.href = '/scan/' + scan.next; else location.href = '/';
      } catch (e) { say(e.message); }
    }
    let drag = null;
    vp.addEventListener('mousedown', (ev) => { drag = [ev.clientX - panX, ev.clientY - panY]; });
    window.addEventListener('mouseup', () => { drag = null; });
    window.addEventListener('mousemove', (ev) => { if (drag) { panX = ev.clientX - drag[0]; panY = ev.clientY - drag[1]; place(); } });
    vp.addEventListener('wheel', (ev) => { ev.preventDefault(); zoomBy(ev.deltaY < 0 ? 2 : 0.5); }, { passive: false });
    function zoomBy(f) { const z = Math.min(8, Math.max(1, zoom * f)); if (z !== zoom) { used.add('zoom'); zoom = z; place(); } }
    const cats = { 1: 'firearm', 2: 'part', 3: 'ammunition', 4: 'other' };
    document.addEventListener('keydown', (ev) => {
      if (typing(ev)) { if (ev.key === 'Escape' || ev.key === 'Enter') ev.target.blur(); return; }
      const k = ev.key;
      if (pendingThreat) {
        pendingThreat = false;
        if (cats[k]) { decide('threat', cats[k]); return; }
        say('threat cancelled');
      }
      const tools = { n: 'negative', h: 'high', l: 'low', o: 'organic-strip', i: 'inorganic-strip', e: 'edges' };
      if (tools[k]) toggle(tools[k]);
      else if (k === '[' || k === ']') { contrast = Math.min(4, Math.max(0.25, contrast * (k === ']' ? 1.25 : 0.8))); used.add('contrast'); refresh(); }
      else if (k === ',' || k === '.') { gamma = Math.min(4, Math.max(0.25, gamma * (k === '.' ? 1.25 : 0.8))); used.add('gamma'); refresh(); }
      else if (k === 'x') { on.clear(); contrast = 1; gamma = 1; refresh(); }
      else if (k === 'b') { boxes = !boxes; used.add('boxes'); refresh(); }
      else if (k === '+' || k === '=') zoomBy(2);
      else if (k === '-') zoomBy(0.5);
      else if (k === '0') fit();
      else if (k.startsWith('Arrow')) { ev.preventDefault(); const s = 60; if (k === 'ArrowLeft') panX += s; if (k === 'ArrowRight') panX -= s; if (k === 'ArrowUp') panY += s; if (k === 'ArrowDown') panY -= s; place(); }
      else if (k === 'c') decide('clear');
      else if (k === 's') decide('search');
      else if (k === 't') { pendingThreat = true; say('threat: 1 firearm, 2 part, 3 ammunition, 4 other'); }
      else if (k === 'm') { ev.preventDefault(); $('#note').focus(); }
      else if (k === 'Escape') location.href = '/';
      else if (k === 'j' && scan && scan.next) location.href = '/scan/' + scan.next;
      else if (k === 'k' && scan && scan.prev) location.href = '/scan/' + scan.prev;
    });
    loadScan().catch((e) => say(e.message));
    vp.focus();
  }

  if (view === 'trainer') {
    async function loadCourses() {
      const q = await api('GET', '/api/trainer/courses');
      const tb = $('#courses tbody');
      tb.replaceChildren();
      q.courses.forEach((c) => {
        const tr = document.createElement('tr');
        [c.name, c.kind, c.trials_per_session, c.threat_share, (c.categories || []).join(', '),
          c.pass_mark_d_prime == null ? '' : c.pass_mark_d_prime].forEach((v) => {
          const td = document.createElement('td'); td.textContent = v; tr.appendChild(td);
        });
        const td = document.createElement('td'), b = document.createElement('button');
        b.type = 'button'; b.className = 'start'; b.textContent = 'start'; b.dataset.course = c.id;
        b.addEventListener('click', async () => {
          try { const s = await api('POST', '/api/trainer/sessions', { course: c.id }); location.href = s.url; }
          catch (e) { say(e.message); }
        });
        td.appendChild(b); tr.appendChild(td); tb.appendChild(tr);
      });
    }
    loadCourses().catch((e) => say(e.message));
    const form = $('#new-course');
    if (form) form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = {
        name: $('#c-name').value, kind: $('#c-kind').value,
        trials_per_session: Number($('#c-trials').value), threat_share: Number($('#c-share').value),
        categories: ['firearm', 'part', 'ammunition'].filter((c) => $('#c-' + c).checked),
        replay_share: Number($('#c-replay').value), real_threat_share: Number($('#c-real-threat').value),
        real_bag_share: Number($('#c-real-bag').value),
      };
      if (body.kind === 'exam') { body.pass_mark_d_prime = Number($('#c-pass').value); body.set_version = $('#c-version').value; }
      try { await api('POST', '/api/trainer/courses', body); say('course created: ' + body.name); form.reset(); await loadCourses(); }
      catch (e) { say(e.message); }
    });
  }

  if (view === 'trial') {
    // The trainee sees the image only; the threat's box comes back with the answer (training).
    const session = document.body.dataset.id, exam = $('#kind').dataset.kind === 'exam';
    const img = $('#image'), marks = $('#marks'), vp = $('#viewport');
    const cats = { 1: 'firearm', 2: 'part', 3: 'ammunition' };
    const words = { hit: 'HIT: found', miss: 'MISS', false_alarm: 'FALSE ALARM: the bag was clean', correct_rejection: 'CORRECT: the bag was clean' };
    let trial = null, mark = null, shownAt = 0, answered = false, busy = false, last = null;
    const state = (s) => { document.body.dataset.state = s; };
    const k = () => img.clientWidth / trial.width;
    function fit() {
      const s = Math.min(vp.clientWidth / trial.width, vp.clientHeight / trial.height, 1);
      img.style.width = trial.width * s + 'px'; img.style.height = trial.height * s + 'px';
    }
    function draw(box) {
      marks.replaceChildren();
      if (box) {
        const b = document.createElement('div'); b.className = 'box truth';
        b.style.left = box[0] * k() + 'px'; b.style.top = box[1] * k() + 'px';
        b.style.width = (box[2] - box[0] + 1) * k() + 'px'; b.style.height = (box[3] - box[1] + 1) * k() + 'px';
        marks.appendChild(b);
      }
      if (mark) {
        const m = document.createElement('div'); m.className = 'mark';
        m.style.left = mark[0] * k() + 'px'; m.style.top = mark[1] * k() + 'px'; marks.appendChild(m);
      }
    }
    async function next() {
      busy = true; answered = false; mark = null; $('#feedback').textContent = ''; say(''); state('loading');
      const r = await api('POST', '/api/trainer/sessions/' + session + '/next');
      if (r.done) {
        busy = false; img.className = 'hidden'; marks.replaceChildren(); state('done');
        const c = last && last.certificate;
        $('#progress').textContent = 'session complete' + (c ? ' · exam ' + (c.passed ? 'PASSED' : 'not passed') + ' (d\' ' + (c.d_prime == null ? '–' : c.d_prime.toFixed(2)) + ', pass mark ' + c.pass_mark_d_prime.toFixed(2) + ')' : '');
        $('#feedback').textContent = 'Scores: /trainer/report';
        return;
      }
      trial = r.trial;
      $('#progress').textContent = 'trial ' + (trial.index + 1) + ' of ' + trial.of;
      img.onload = () => { fit(); draw(null); shownAt = performance.now(); busy = false; document.body.dataset.trial = trial.token; state('ready'); };
      img.src = '/api/trainer/trials/' + trial.token + '/image';
    }
    img.addEventListener('click', (ev) => {
      if (answered || busy || !trial) return;
      const r = img.getBoundingClientRect();
      mark = [(ev.clientX - r.left) / k(), (ev.clientY - r.top) / k()];
      draw(null);
    });
    async function answer(kind, category) {
      if (busy || answered || !trial) return;
      if (kind === 'threat' && !mark) { say('click on the threat first, then 1, 2, 3 or t'); return; }
      const body = { answer: kind, response_ms: Math.round(performance.now() - shownAt) };
      if (kind === 'threat') { body.mark = mark; if (category) body.category = category; }
      busy = true;
      try {
        last = await api('POST', '/api/trainer/trials/' + trial.token + '/answer', body);
        answered = true; busy = false;
        if (exam) { next().catch((e) => say(e.message)); return; }
        const f = last;
        $('#feedback').textContent = words[f.outcome] + (f.threat_category ? ' (' + f.threat_category + ')' : '') + ' · Space: next';
        draw(f.threat_box);
        state('answered');
      } catch (e) { busy = false; say(e.message); }
    }
    document.addEventListener('keydown', (ev) => {
      if (typing(ev)) return;
      if (cats[ev.key]) answer('threat', cats[ev.key]);
      else if (ev.key === 't') answer('threat');
      else if (ev.key === 'n') answer('clear');
      else if (ev.key === ' ') { ev.preventDefault(); if (answered && !busy) next().catch((e) => say(e.message)); }
    });
    window.addEventListener('resize', () => { if (trial && img.naturalWidth) { fit(); draw(null); } });
    next().catch((e) => say(e.message));
  }
})();
