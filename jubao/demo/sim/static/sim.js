// The simulator's page: renders the feed of /sim/events into the phone and WeChat Work, and
// sends what the user types or taps to /sim/mp and /sim/work (which sign and post it to the
// service's real callbacks). No framework: the page is small.
"use strict";

const NUMBER = /[A-Z]+-\d{4}-\d{6}/g;
const COLORS = ["#e67e22", "#16a085", "#8e44ad", "#2980b9", "#c0392b", "#27ae60", "#d35400"];
const sim = {
  config: null,
  byKey: new Map(),       // conversation key -> events
  clockNotes: [],         // clock events, shown in every conversation
  unread: new Map(),
  lastActive: new Map(),  // officer wework_id -> seq of his latest event
  citizen: null,          // openid shown in the phone
  work: "g",              // conversation shown in WeChat Work: "g" or "o:<wework_id>"
  skew: 0,                // demo clock minus this browser's clock, in ms
  seen: 0,
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name === "style") node.style.cssText = value; // CSSOM: allowed by the CSP
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function keyOf(event) {
  if (event.pane === "citizen") return "c:" + event.party;
  if (event.pane === "group") return "g";
  if (event.pane === "officer") return "o:" + event.party;
  return "";
}

function formatter(options) {
  return new Intl.DateTimeFormat("zh-CN", { timeZone: sim.config.timezone, ...options });
}

function when(iso, withDay) {
  const date = new Date(iso);
  const time = formatter({ hour: "2-digit", minute: "2-digit", hour12: false }).format(date);
  if (!withDay) return time;
  return formatter({ month: "long", day: "numeric", weekday: "short" }).format(date) + " " + time;
}

function demoNow() { return new Date(Date.now() + sim.skew); }

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 6000);
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.message || "HTTP " + response.status);
  return data;
}

// --- avatars ---------------------------------------------------------------------------

function avatar(name, color) {
  return el("div", { class: "avatar", style: "background:" + color, text: (name || "?").slice(0, 1) });
}

function colorOf(text) {
  let sum = 0;
  for (const ch of text) sum += ch.codePointAt(0);
  return COLORS[sum % COLORS.length];
}

function citizenName(openid) {
  const found = sim.config.citizens.find((c) => c.openid === openid);
  return found ? found.nickname : openid;
}

function officerOf(id) {
  return sim.config.officers.find((o) => o.wework_id === id) || { wework_id: id, name: id, unit: "" };
}

// --- bubbles ---------------------------------------------------------------------------

function content(event) {
  if (event.kind === "image") {
    return el("div", { class: "bubble media" }, el("img", { src: event.url, alt: event.text }));
  }
  if (event.kind === "voice") {
    const audio = el("audio", { src: event.url, preload: "none" });
    const bubble = el("div", { class: "bubble voice", title: "点击播放" }, el("span", { class: "wave", text: "((·" }), event.text, audio);
    bubble.addEventListener("click", () => audio.play());
    return bubble;
  }
  if (event.kind === "location") {
    return el("div", { class: "bubble location" }, el("div", { class: "map" }, el("span", { class: "pin" })), event.text);
  }
  if (event.kind === "menu") {
    return el("div", { class: "bubble menu-tap", text: "点击菜单「" + event.text + "」" });
  }
  if (event.kind === "card") {
    const card = el("div", { class: "card" });
    if (event.title) card.append(el("div", { class: "card-title", text: event.title }));
    card.append(document.createTextNode(event.text));
    if (event.url) card.append(el("a", { class: "card-link", href: event.url, target: "_blank", rel: "noopener", text: "详情 ›" }));
    return card;
  }
  if (event.kind === "refusal") return el("div", { class: "bubble refusal", text: event.text });
  return el("div", { class: "bubble", text: event.text });
}

function speaker(event) {
  if (event.side === "service") {
    if (event.pane === "citizen") return ["应急", "#c0392b"];
    if (event.pane === "group") return ["分派", "#3975c6"];
    return ["处置", "#3975c6"];
  }
  if (event.pane === "citizen") {
    const name = citizenName(event.party);
    return [name, colorOf(name)];
  }
  const name = officerOf(event.party).name;
  return [name, colorOf(name)];
}

function row(event) {
  if (event.pane === "clock") return el("div", { class: "system clock-note", text: event.text });
  const [name, color] = speaker(event);
  const body = el("div", { class: "body" }, content(event));
  if (event.side === "service" && event.api) body.append(el("div", { class: "via", text: event.api }));
  return el("div", { class: "msg " + event.side, "data-seq": String(event.seq) }, avatar(name, color), body);
}

function render(container, key) {
  const events = [...(sim.byKey.get(key) || []), ...sim.clockNotes].sort((a, b) => a.seq - b.seq);
  const nearBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 80;
  container.replaceChildren();
  if (!(sim.byKey.get(key) || []).length) {
    container.append(el("div", { class: "empty", text: "暂无消息" }));
  }
  let previous = null;
  for (const event of events) {
    if (event.pane === "clock" && !(sim.byKey.get(key) || []).length) continue;
    const at = new Date(event.at);
    if (!previous || at - previous > 3 * 60 * 1000) {
      container.append(el("div", { class: "time", text: when(event.at, true) }));
    }
    previous = at;
    container.append(row(event));
  }
  if (nearBottom || container.dataset.key !== key) container.scrollTop = container.scrollHeight;
  container.dataset.key = key;
}

// --- the feed --------------------------------------------------------------------------

function receive(event) {
  if (event.seq <= sim.seen) return;
  sim.seen = event.seq;
  if (event.pane === "clock") {
    if (event.kind === "clock-summary") {
      setClock(event.extra);  // another browser's move too
      return;
    }
    sim.clockNotes.push(event);
    renderPhone();
    renderWork();
    return;
  }
  if (event.side === "service" && event.api && event.api.startsWith("/")) logApi(event);
  const key = keyOf(event);
  if (!sim.byKey.has(key)) sim.byKey.set(key, []);
  sim.byKey.get(key).push(event);
  if (event.pane === "officer") sim.lastActive.set(event.party, event.seq);
  const shown = key === "c:" + sim.citizen || key === sim.work;
  if (!shown) sim.unread.set(key, (sim.unread.get(key) || 0) + 1);
  if (event.pane === "citizen") {
    if (!sim.config.citizens.some((c) => c.openid === event.party)) {
      sim.config.citizens.push({ openid: event.party, nickname: event.party });
    }
    renderCitizens();
    if (key === "c:" + sim.citizen) renderPhone();
  } else {
    renderWorkList();
    if (key === sim.work) renderWork();
  }
}

function logApi(event) {
  const target = event.pane === "citizen" ? "市民 " + citizenName(event.party)
    : event.pane === "group" ? "群「" + sim.config.group + "」" : "执法人员 " + officerOf(event.party).name;
  const item = el("li", { text: when(event.at) + "  POST " + event.api + "  → " + target });
  $("api-log").prepend(item);
  $("api-count").textContent = String($("api-log").children.length);
}

function connect() {
  const source = new EventSource("/sim/events");
  source.onmessage = (message) => receive(JSON.parse(message.data));
}

// --- the phone -------------------------------------------------------------------------

function renderCitizens() {
  const select = $("citizen-select");
  const chosen = sim.citizen;
  select.replaceChildren();
  for (const citizen of sim.config.citizens) {
    const count = sim.unread.get("c:" + citizen.openid) || 0;
    const label = citizen.nickname + (count ? "（" + count + " 条新消息）" : "");
    select.append(el("option", { value: citizen.openid, text: label }));
  }
  select.value = chosen;
}

function renderPhone() {
  if (!sim.citizen) return;
  sim.unread.delete("c:" + sim.citizen);
  render($("phone-chat"), "c:" + sim.citizen);
}

async function sendCitizen(body) {
  try {
    await post("/sim/mp", { openid: sim.citizen, ...body });
  } catch (error) {
    toast("发送失败：" + error.message);
  }
}

function setUpPhone() {
  $("account-name").textContent = sim.config.account;
  sim.citizen = sim.config.citizens[0].openid;
  renderCitizens();
  $("citizen-select").addEventListener("change", (e) => {
    sim.citizen = e.target.value;
    renderCitizens();
    renderPhone();
  });
  $("citizen-new").addEventListener("click", async () => {
    const nickname = (window.prompt("新市民的微信昵称", "新市民") || "").trim();
    if (!nickname) return;
    try {
      const citizen = await post("/sim/citizens", { nickname });
      sim.config.citizens.push(citizen);
      sim.citizen = citizen.openid;
      renderCitizens();
      renderPhone();
    } catch (error) { toast(error.message); }
  });
  $("phone-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = $("phone-input");
    const text = input.value;
    if (!text.trim()) return;
    input.value = "";
    sendCitizen({ type: "text", text });
  });
  for (const button of document.querySelectorAll("#phone-menu button")) {
    button.addEventListener("click", () => sendCitizen({ type: "menu", key: button.dataset.key }));
  }
  $("toggle-menu").addEventListener("click", () => { $("phone-menu").hidden = !$("phone-menu").hidden; });
  $("toggle-tray").addEventListener("click", () => { $("tray").hidden = !$("tray").hidden; });
  sim.config.pictures.forEach((picture, index) => {
    const button = el("button", { type: "button", title: picture.label },
      el("img", { src: "/sim/static/" + picture.name, alt: picture.label }));
    button.addEventListener("click", () => { $("tray").hidden = true; sendCitizen({ type: "image", index }); });
    $("tray-pictures").append(button);
  });
  $("send-voice").addEventListener("click", () => { $("tray").hidden = true; sendCitizen({ type: "voice" }); });
  $("show-places").addEventListener("click", () => { $("places").hidden = !$("places").hidden; });
  sim.config.places.forEach((place, index) => {
    const button = el("button", { type: "button", text: place.label });
    button.addEventListener("click", () => {
      $("tray").hidden = true;
      $("places").hidden = true;
      sendCitizen({ type: "location", index });
    });
    $("places").append(el("li", {}, button));
  });
}

// --- WeChat Work -----------------------------------------------------------------------

function workEntry(key, title, subtitle, color) {
  const count = sim.unread.get(key) || 0;
  const badge = el("span", { class: "badge", text: String(count) });
  badge.hidden = !count;
  const button = el("button", { type: "button", "data-key": key, class: key === sim.work ? "active" : "" },
    avatar(title, color), el("div", { class: "who" }, el("div", { text: title }), el("div", { class: "muted", text: subtitle })), badge);
  button.addEventListener("click", () => { sim.work = key; renderWorkList(); renderWork(); });
  return button;
}

function renderWorkList() {
  const list = $("work-list");
  list.replaceChildren(el("h3", { text: "群聊" }), workEntry("g", sim.config.group, "分派卡片（应用推送）", "#3975c6"));
  list.append(el("h3", { text: "与「举报处置」应用的单聊" }));
  const officers = [...sim.config.officers].sort(
    (a, b) => (sim.lastActive.get(b.wework_id) || 0) - (sim.lastActive.get(a.wework_id) || 0));
  for (const officer of officers) {
    list.append(workEntry("o:" + officer.wework_id, officer.name, officer.unit, colorOf(officer.name)));
  }
}

function lastNumber(key) {
  const events = sim.byKey.get(key) || [];
  for (let i = events.length - 1; i >= 0; i--) {
    const found = (events[i].title + " " + events[i].text).match(NUMBER);
    if (found) return found[found.length - 1];
  }
  return "";
}

function renderChips(key) {
  const chips = $("work-chips");
  chips.replaceChildren();
  const number = lastNumber(key);
  // [label, text to send or to put in the input, whether it is complete as it is]
  const commands = number
    ? [["接收", "接收 " + number, true], ["进展…", "进展 " + number + " ", false],
       ["属实…", "属实 " + number + " ", false], ["不属实…", "不属实 " + number + " ", false],
       ["退回…", "退回 " + number + " ", false]]
    : [];
  for (const word of ["我的", "逾期", "帮助"]) commands.push([word, word, true]);
  if (number) chips.append(el("span", { class: "chips-number", text: number }));
  for (const [label, text, complete] of commands) {
    const button = el("button", { type: "button", text: label, title: text.trim() });
    button.addEventListener("click", () => {
      if (complete) { sendOfficer(text); return; }
      $("work-input").value = text;
      $("work-input").focus();
    });
    chips.append(button);
  }
}

function renderWork() {
  const key = sim.work;
  sim.unread.delete(key);
  const group = key === "g";
  const officer = group ? null : officerOf(key.slice(2));
  $("work-title").textContent = group ? sim.config.group : officer.name + " · 举报处置";
  $("work-subtitle").textContent = group ? "应用推送的分派与督办卡片" : officer.unit + "（" + officer.wework_id + "）";
  $("work-note").hidden = !group;
  $("work-form").hidden = group;
  const commands = !group && officer.kind === "officer";  // staff only read their notices
  $("work-chips").hidden = !commands;
  if (commands) renderChips(key);
  render($("work-chat"), key);
  renderWorkList();
}

async function sendOfficer(text) {
  try {
    await post("/sim/work", { user: sim.work.slice(2), text });
  } catch (error) {
    toast("发送失败：" + error.message);
  }
}

function setUpWork() {
  $("work-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("work-input").value;
    if (!text.trim()) return;
    $("work-input").value = "";
    sendOfficer(text);
  });
  renderWork();
}

// --- the demo clock --------------------------------------------------------------------

function setClock(clock) {
  sim.skew = new Date(clock.now) - Date.now();
  const days = clock.offset_days || 0;
  $("clock-offset").textContent = days ? "（已快进 " + days + " 天）" : "（实时）";
  $("clock-next").textContent = clock.next || "";
  tick();
}

function tick() {
  const now = demoNow().toISOString();
  $("clock-now").textContent = when(now, true);
  $("phone-time").textContent = when(now);
}

function setUpClock() {
  setClock(sim.config.clock);
  setInterval(tick, 10_000);
  for (const button of document.querySelectorAll(".clock-step")) {
    button.addEventListener("click", async () => {
      for (const b of document.querySelectorAll(".clock-step")) b.disabled = true;
      try {
        const moved = await post("/sim/clock", { step: button.dataset.step });
        setClock(moved);
        toast(moved.summary);
      } catch (error) {
        toast("快进失败：" + error.message);
      } finally {
        for (const b of document.querySelectorAll(".clock-step")) b.disabled = false;
      }
    });
  }
}

async function main() {
  sim.config = await (await fetch("/sim/state")).json();
  setUpClock();
  setUpPhone();
  setUpWork();
  renderPhone();
  connect();
}

main();
