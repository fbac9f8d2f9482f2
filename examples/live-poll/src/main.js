// Live poll: no framework, only @accord/client and its DOM helpers.
//
// Rooms: `live-poll/index` lists recent polls; each poll is its own room `live-poll/<id>` with
//   map  'poll'      { question, createdAt }
//   list 'options'   [{ label }]                    (renderList draws it)
//   counter 'votes/<option id>'                      (concurrent votes add up, never overwrite)
import { createClient } from '@accord/client'
import { renderList } from '@accord/client/dom'
import './style.css'

// The app shell works offline too (see ../offline-shell.js); the data is in IndexedDB.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('./sw.js').catch(() => {})
}

const relayUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sync`
const client = createClient({ url: relayUrl })

const $ = (selector) => document.querySelector(selector)
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props)
  node.append(...children)
  return node
}

// ---------------------------------------------------------------------------------------------
// Home: create a poll, list recent ones.

const index = client.room('live-poll/index')
const recent = index.list('polls')
const MAX_RECENT = 20

renderList($('#recent'), recent, (poll) =>
  el('li', {}, el('a', { href: `#/${poll.id}`, textContent: poll.question })),
)
const showRecentEmpty = () => {
  $('#recent-empty').hidden = recent.length > 0
}
recent.subscribe(showRecentEmpty)
showRecentEmpty()

const optionInputs = $('#option-inputs')
const addOptionInput = (placeholder = 'Another option') => {
  const input = el('input', { name: 'option', placeholder, maxLength: 120 })
  optionInputs.append(input)
  return input
}
for (const placeholder of ['Tacos', 'Ramen', 'Salad bar']) addOptionInput(placeholder)
$('#more-options').onclick = () => addOptionInput().focus()

$('#create').onsubmit = (event) => {
  event.preventDefault()
  const form = event.currentTarget
  const data = new FormData(form)
  const question = String(data.get('question')).trim()
  const labels = data
    .getAll('option')
    .map((label) => String(label).trim())
    .filter(Boolean)
  if (!question) return
  if (labels.length < 2) {
    alert('Give at least two options.')
    return
  }
  const id = randomId()
  const room = client.room(`live-poll/${id}`)
  room.transact(() => {
    room.map('poll').update({ question, createdAt: Date.now() })
    room.list('options').push(...labels.map((label) => ({ label })))
  })
  index.transact(() => {
    recent.insert(0, { id, question })
    if (recent.length > MAX_RECENT) recent.delete(MAX_RECENT, recent.length - MAX_RECENT)
  })
  form.reset()
  location.hash = `#/${id}`
}

// ---------------------------------------------------------------------------------------------
// A poll: options with live bars; a click is a vote.

let current = null // { room, unbind: (() => void)[] }

function openPoll(id) {
  const room = client.room(`live-poll/${id}`)
  const poll = room.map('poll')
  const options = room.list('options')
  const votes = (optionId) => room.counter(`votes/${optionId}`)
  const unbind = []

  const list = $('#options')
  list.replaceChildren()
  let sum = 0 // all votes, and the highest count: updateBars() keeps them current
  let leader = 0

  // renderList calls this again only for options whose label or position changed; bars are
  // updated separately, on every change, by updateBars().
  unbind.push(
    renderList(list, options, (option, _index, optionId) => {
      const button = el(
        'button',
        { type: 'button', className: 'option' },
        el('span', { className: 'bar' }),
        el('span', { className: 'label', textContent: option.label }),
        el('span', { className: 'count' }),
      )
      button.dataset.option = optionId
      button.onclick = () => {
        votes(optionId).increment()
        button.classList.remove('voted')
        void button.offsetWidth // restart the pulse animation
        button.classList.add('voted')
      }
      const item = el('li', {}, button)
      updateBar(item.firstChild, optionId)
      return item
    }),
  )

  function updateBar(button, optionId) {
    const count = votes(optionId).get()
    const share = sum > 0 ? count / sum : 0
    button.querySelector('.bar').style.width = `${(share * 100).toFixed(1)}%`
    button.querySelector('.count').textContent = `${count} · ${Math.round(share * 100)}%`
    button.classList.toggle('leading', count > 0 && count === leader)
  }
  const updateBars = () => {
    const counts = options.entries().map(({ id }) => votes(id).get())
    sum = counts.reduce((a, b) => a + b, 0)
    leader = Math.max(0, ...counts)
    for (const button of list.querySelectorAll('button[data-option]')) {
      updateBar(button, button.dataset.option)
    }
    const { question, createdAt } = poll.get()
    $('#question').textContent = question ?? ''
    document.title = question ? `${question} · Live poll` : 'Live poll'
    const people = room.presence.get().others.length + 1
    $('#poll-meta').textContent = [
      `${sum} ${sum === 1 ? 'vote' : 'votes'}`,
      `${people} ${people === 1 ? 'person' : 'people'} here`,
      createdAt ? `created ${new Date(createdAt).toLocaleString()}` : '',
    ]
      .filter(Boolean)
      .join(' · ')
    $('#loading').hidden = question !== undefined
  }
  unbind.push(room.on('change', updateBars))
  unbind.push(room.presence.subscribe(updateBars))
  room.presence.set({ since: Date.now() })
  updateBars()

  $('#add-option').onsubmit = (event) => {
    event.preventDefault()
    const form = event.currentTarget
    const label = String(new FormData(form).get('label')).trim()
    if (label) options.push({ label })
    form.reset()
  }

  current = { room, unbind }
}

function closePoll() {
  if (!current) return
  for (const off of current.unbind) off()
  void current.room.close()
  current = null
}

$('#share').onclick = async () => {
  try {
    await navigator.clipboard.writeText(location.href)
    $('#share').textContent = 'Copied!'
  } catch {
    prompt('Share this link:', location.href)
  }
  setTimeout(() => {
    $('#share').textContent = 'Copy link'
  }, 1500)
}

// ---------------------------------------------------------------------------------------------
// Routing (#/<poll id>) and the connection badge.

function route() {
  const id = /^#\/([\w-]+)$/.exec(location.hash)?.[1]
  closePoll()
  $('#home').hidden = id !== undefined
  $('#poll').hidden = id === undefined
  if (id) openPoll(id)
  else document.title = 'Live poll · Accord'
  watchStatus(current?.room ?? index)
}

let offStatus = () => {}
function watchStatus(room) {
  offStatus()
  const show = () => {
    const badge = $('#status')
    badge.dataset.status = room.status
    badge.textContent =
      room.status === 'connected'
        ? 'Live'
        : room.status === 'connecting'
          ? 'Connecting…'
          : room.status === 'offline'
            ? 'Offline — votes kept on this device'
            : `Disconnected (${room.status})`
  }
  offStatus = room.on('status', show)
  show()
}

function randomId() {
  const bytes = crypto.getRandomValues(new Uint8Array(6))
  return Array.from(bytes, (byte) => byte.toString(36).padStart(2, '0'))
    .join('')
    .slice(0, 10)
}

window.addEventListener('hashchange', route)
route()
