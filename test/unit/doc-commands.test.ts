import { test } from 'node:test'
import { expect } from 'chai'
import {
  DOC_IMAGES,
  NameBook,
  answererOf,
  greetingOf,
  idPrefix,
  rewrite,
  splitWords,
  standInCommand,
  type RewriteContext,
} from '../../support/document/doc-commands'

const PREFIX = 'nc-a1b2c3-beef'
const PROBE = 'netconform-probe:1'
const LABELS = { 'io.netconform.run': '20250102T030405Z-a1b2c3', 'io.netconform.scenario': 'publish.port-80' }
const LABEL_ARGS = [
  '--label',
  'io.netconform.run=20250102T030405Z-a1b2c3',
  '--label',
  'io.netconform.scenario=publish.port-80',
]
const serves = (port: number, identity: string) => [
  'nc',
  '-ll',
  '-p',
  String(port),
  '-e',
  'sh',
  '-c',
  `read -r request; printf '%s' 'Hello world! from ${identity}'`,
]

function context(names = new NameBook(PREFIX)): RewriteContext {
  return { names, labels: LABELS, probeImage: PROBE }
}

// ---------------------------------------------------------------- splitWords

test('splitWords: plain words, any run of blanks between them', () => {
  expect(splitWords('docker  network\tls')).to.deep.equal(['docker', 'network', 'ls'])
  expect(splitWords('   docker ps   ')).to.deep.equal(['docker', 'ps'])
  expect(splitWords('')).to.deep.equal([])
  expect(splitWords('  \t ')).to.deep.equal([])
})

test('splitWords: double and single quotes group words and are removed', () => {
  expect(splitWords(`echo "hello world" 'a b'`)).to.deep.equal(['echo', 'hello world', 'a b'])
  expect(splitWords(`--name="my app" x'y z'w`)).to.deep.equal(['--name=my app', 'xy zw'])
  expect(splitWords(`"it's" 'say "hi"'`)).to.deep.equal(["it's", 'say "hi"'])
})

test('splitWords: empty quotes are an empty word', () => {
  expect(splitWords(`a "" '' b`)).to.deep.equal(['a', '', '', 'b'])
})

test('splitWords: a backslash escapes the next character outside quotes and in double quotes', () => {
  expect(splitWords('a\\ b c')).to.deep.equal(['a b', 'c'])
  expect(splitWords('\\"x\\"')).to.deep.equal(['"x"'])
  expect(splitWords('"say \\"hi\\""')).to.deep.equal(['say "hi"'])
  expect(splitWords('"\\\\"')).to.deep.equal(['\\'])
})

test('splitWords: a backslash is literal inside single quotes', () => {
  expect(splitWords("'a\\b' 'c\\'")).to.deep.equal(['a\\b', 'c\\'])
})

test('splitWords: a trailing backslash is kept', () => {
  expect(splitWords('a\\')).to.deep.equal(['a\\'])
})

test('splitWords: an unterminated quote is an error naming the quote and the line', () => {
  expect(() => splitWords('echo "abc')).to.throw(/unterminated " quote in: echo "abc/)
  expect(() => splitWords("echo 'abc")).to.throw(/unterminated ' quote in: echo 'abc/)
  expect(() => splitWords('echo "a\\"')).to.throw(/unterminated " quote/)
})

test('splitWords: in double quotes a backslash before an ordinary character stays, as in a POSIX shell', {}, () => {
  expect(splitWords('"a\\b"')).to.deep.equal(['a\\b'])
})

// ---------------------------------------------------------------- NameBook

test('NameBook.define gives the prefixed unique name, the same one every time', () => {
  const names = new NameBook(PREFIX)
  expect(names.define('server')).to.equal(`${PREFIX}-server`)
  expect(names.define('server')).to.equal(`${PREFIX}-server`)
  expect(names.has('server')).to.equal(true)
  expect(names.resolve('server')).to.equal(`${PREFIX}-server`)
})

test('idPrefix: the shortest prefix of at least 4 characters that no other container id starts with', () => {
  const id = '50ca681655326775da27462ee062f3a74c4157ff04470fcfda9b176470270d6a'
  expect(idPrefix(id, [])).to.equal('50ca')
  expect(idPrefix(id, ['50ca1111', '50c8aaaa'])).to.equal('50ca6')
  expect(idPrefix(id, ['50ca6816aa'])).to.equal('50ca68165')
  // every shorter prefix shared: the whole id
  expect(idPrefix('50ca68', ['50ca68ff'])).to.equal('50ca68')
})

test('NameBook.resolve: an unknown name stays as written', () => {
  const names = new NameBook(PREFIX)
  expect(names.resolve('somewhere')).to.equal('somewhere')
  expect(names.has('somewhere')).to.equal(false)
})

test('NameBook.resolve: the builtin networks bridge, host, none and default stay as written', () => {
  const names = new NameBook(PREFIX)
  for (const n of ['bridge', 'host', 'none', 'default']) expect(names.resolve(n), n).to.equal(n)
  // even when a scenario (wrongly) defines or aliases one of them, it still means the endpoint's own
  names.define('bridge')
  names.alias('host', 'abc')
  expect(names.resolve('bridge')).to.equal('bridge')
  expect(names.resolve('host')).to.equal('host')
})

test('NameBook.alias records a real id for a documented one', () => {
  const names = new NameBook(PREFIX)
  names.alias('50', '50c0ffee1234')
  expect(names.resolve('50')).to.equal('50c0ffee1234')
  expect(names.has('50')).to.equal(true)
  // alias replaces an earlier mapping
  names.define('web')
  names.alias('web', 'deadbeef')
  expect(names.resolve('web')).to.equal('deadbeef')
})

test('NameBook: fixed names (what the target provides) resolve to their real names, and define keeps them', () => {
  const names = new NameBook(PREFIX, { 'vic-containers': 'lab-cnet', public: 'lab-public' })
  expect(names.resolve('vic-containers')).to.equal('lab-cnet')
  expect(names.define('vic-containers')).to.equal('lab-cnet')
  expect(names.has('public')).to.equal(true)
  expect(names.entries()).to.deep.equal([
    ['vic-containers', 'lab-cnet'],
    ['public', 'lab-public'],
  ])
})

test('NameBook.entries lists every known name in the order it was learnt', () => {
  const names = new NameBook(PREFIX)
  names.define('a')
  names.alias('1', 'id1')
  names.define('b')
  expect(names.entries()).to.deep.equal([
    ['a', `${PREFIX}-a`],
    ['1', 'id1'],
    ['b', `${PREFIX}-b`],
  ])
})

test('NameBook.substitute replaces whole known words only', () => {
  const names = new NameBook(PREFIX)
  names.define('server')
  names.define('my-bridge-network')
  expect(names.substitute('ping -c 3 server')).to.equal(`ping -c 3 ${PREFIX}-server`)
  expect(names.substitute('nslookup server; wget -qO- http://server:5000/')).to.equal(
    `nslookup ${PREFIX}-server; wget -qO- http://${PREFIX}-server:5000/`,
  )
  // parts of longer words are not names
  expect(names.substitute('ping servers my-server server2')).to.equal('ping servers my-server server2')
  // a hyphenated name is one word
  expect(names.substitute('echo my-bridge-network')).to.equal(`echo ${PREFIX}-my-bridge-network`)
  // unknown words and numbers stay
  expect(names.substitute('ping -c 3 10.0.0.1')).to.equal('ping -c 3 10.0.0.1')
})

test('NameBook.substitute leaves builtin networks alone', () => {
  const names = new NameBook(PREFIX)
  names.define('bridge')
  expect(names.substitute('echo bridge')).to.equal('echo bridge')
})

// ---------------------------------------------------------------- stand-ins

test('standInCommand: servers listen on their documented port and answer with their identity, shells sleep', () => {
  expect(standInCommand('my_container', 'nc-1-a-web')).to.deep.equal(serves(80, 'nc-1-a-web'))
  expect(standInCommand('my_server_image', 'nc-1-a-server')).to.deep.equal(serves(5000, 'nc-1-a-server'))
  expect(standInCommand('tomcat:alpine', 'x')).to.deep.equal(serves(8080, 'x'))
  expect(standInCommand('busybox', 'x')).to.deep.equal(['sleep', '86400'])
  for (const image of Object.keys(DOC_IMAGES))
    expect(standInCommand(image, 'x'), image).to.be.an('array').with.length.above(0)
  expect(() => standInCommand('my_container', "it's")).to.throw(/plain name/)
})

test('answererOf reads who answered; greetingOf is what a service answers', () => {
  expect(answererOf(greetingOf('nc-1-a-db'))).to.equal('nc-1-a-db')
  expect(answererOf('Hello world!')).to.equal(undefined)
  expect(answererOf('HTTP/1.1 400 Bad Request')).to.equal(undefined)
})

// ---------------------------------------------------------------- rewrite: docker run / create

test('rewrite: docker run -p 8080:80 --name test1 my_container my_app', () => {
  const ctx = context()
  const { argv, notes } = rewrite('docker run -p 8080:80 --name test1 my_container my_app', ctx)
  expect(argv).to.deep.equal([
    'run',
    ...LABEL_ARGS,
    '-d',
    '-p',
    '8080:80',
    `--name=${PREFIX}-test1`,
    PROBE,
    ...serves(80, `${PREFIX}-test1`),
  ])
  expect(ctx.names.resolve('test1')).to.equal(`${PREFIX}-test1`)
  expect(notes).to.have.length(1)
  expect(notes[0]).to.equal(
    `my_container my_app → ${PROBE} ${serves(80, `${PREFIX}-test1`).join(' ')} (stands for ${DOC_IMAGES.my_container.role})`,
  )
})

test('rewrite: docker run puts the labels right after the subcommand', () => {
  const { argv } = rewrite('docker run -p 8080:80 --name test1 my_container my_app', context())
  expect(argv.slice(0, 5)).to.deep.equal(['run', ...LABEL_ARGS])
})

test('rewrite: docker run -it --name=client --net=my-bridge-network busybox', () => {
  const ctx = context()
  rewrite('docker network create -d bridge my-bridge-network', ctx)
  const { argv, notes } = rewrite('docker run -it --name=client --net=my-bridge-network busybox', ctx)
  expect(argv).to.deep.equal([
    'run',
    ...LABEL_ARGS,
    '-d',
    `--name=${PREFIX}-client`,
    `--net=${PREFIX}-my-bridge-network`,
    PROBE,
    'sleep',
    '86400',
  ])
  expect(argv).to.not.include('-it')
  expect(notes[0]).to.match(/^-it dropped: /)
  expect(notes[1]).to.equal(`busybox → ${PROBE} sleep 86400 (stands for ${DOC_IMAGES.busybox.role})`)
})

test('rewrite: every interactive flag is dropped with a note', () => {
  for (const flag of ['-it', '-ti', '-i', '-t', '--interactive', '--tty']) {
    const { argv, notes } = rewrite(`docker run ${flag} busybox`, context())
    expect(argv, flag).to.not.include(flag)
    expect(
      notes.some((n) => n.startsWith(`${flag} dropped`)),
      flag,
    ).to.equal(true)
  }
})

test('rewrite: docker run --net to a network the scenario did not create keeps the name as written', () => {
  const { argv } = rewrite('docker run --net=elsewhere busybox', context())
  expect(argv).to.include('--net=elsewhere')
})

test('rewrite: docker run --net/--network to a builtin network keeps it', () => {
  expect(rewrite('docker run --net=host busybox', context()).argv).to.include('--net=host')
  expect(rewrite('docker run --network bridge busybox', context()).argv).to.include('--network=bridge')
})

test('rewrite: docker run -d as documented keeps a single -d', () => {
  const ctx = context()
  rewrite('docker network create -d bridge my-bridge-network', ctx)
  const { argv } = rewrite(
    'docker run -d -p 5000:5000 --net=my-bridge-network --name=server my_server_image server_app',
    ctx,
  )
  expect(argv).to.deep.equal([
    'run',
    ...LABEL_ARGS,
    '-d',
    '-p',
    '5000:5000',
    `--net=${PREFIX}-my-bridge-network`,
    `--name=${PREFIX}-server`,
    PROBE,
    ...serves(5000, `${PREFIX}-server`),
  ])
  expect(argv.filter((w) => w === '-d')).to.have.length(1)
})

test('rewrite: docker run --detach counts as -d', () => {
  const { argv } = rewrite('docker run --detach busybox', context())
  expect(argv).to.include('--detach')
  expect(argv).to.not.include('-d')
})

test('rewrite: docker create -d --name model --net bridge-db myrepo/web-model', () => {
  const ctx = context()
  rewrite('docker network create --internal bridge-db', ctx)
  const { argv, notes } = rewrite('docker create -d --name model --net bridge-db myrepo/web-model', ctx)
  expect(argv).to.deep.equal([
    'create',
    ...LABEL_ARGS,
    `--name=${PREFIX}-model`,
    `--net=${PREFIX}-bridge-db`,
    PROBE,
    ...serves(80, `${PREFIX}-model`),
  ])
  expect(argv).to.not.include('-d')
  expect(notes[0]).to.equal('-d dropped: docker create has no -d (the document writes it)')
  expect(notes[1]).to.equal(
    `myrepo/web-model → ${PROBE} ${serves(80, `${PREFIX}-model`).join(' ')} (stands for ${DOC_IMAGES['myrepo/web-model'].role})`,
  )
})

test('rewrite: docker create without -d gets no -d', () => {
  const { argv, notes } = rewrite('docker create --name view myrepo/web-view', context())
  expect(argv).to.deep.equal(['create', ...LABEL_ARGS, `--name=${PREFIX}-view`, PROBE, ...serves(80, `${PREFIX}-view`)])
  expect(notes).to.have.length(1)
})

test('rewrite: other options of docker run are kept as written, values included', () => {
  const { argv, container } = rewrite('docker run -e A=1 --rm -P --ip 203.0.113.9 -l x=y busybox', context())
  expect(argv).to.deep.equal([
    'run',
    ...LABEL_ARGS,
    '-d',
    '-e',
    'A=1',
    '--rm',
    '-P',
    '--ip=203.0.113.9',
    '-l',
    'x=y',
    `--name=${PREFIX}-busybox`,
    PROBE,
    'sleep',
    '86400',
  ])
  expect(container).to.equal('busybox')
})

test('rewrite: an unknown image throws, naming the image and every known one', () => {
  expect(() => rewrite('docker run -d --name web nginx', context())).to.throw(/"nginx" has no stand-in/)
  try {
    rewrite('docker run nginx', context())
    expect.fail('no error')
  } catch (e) {
    for (const image of Object.keys(DOC_IMAGES)) expect((e as Error).message, image).to.include(image)
  }
})

test('rewrite: docker run without an image throws', () => {
  expect(() => rewrite('docker run --name x', context())).to.throw(/no image in: docker run --name x/)
})

// ---------------------------------------------------------------- rewrite: networks

test('rewrite: docker network create -d bridge my-bridge-network (-d is the driver here)', () => {
  const ctx = context()
  const { argv, notes } = rewrite('docker network create -d bridge my-bridge-network', ctx)
  expect(argv).to.deep.equal(['network', 'create', ...LABEL_ARGS, '-d', 'bridge', `${PREFIX}-my-bridge-network`])
  expect(notes).to.deep.equal([])
  expect(ctx.names.resolve('my-bridge-network')).to.equal(`${PREFIX}-my-bridge-network`)
})

test('rewrite: docker network create --internal bridge-db', () => {
  const ctx = context()
  const { argv } = rewrite('docker network create --internal bridge-db', ctx)
  expect(argv).to.deep.equal(['network', 'create', ...LABEL_ARGS, '--internal', `${PREFIX}-bridge-db`])
  expect(ctx.names.has('bridge-db')).to.equal(true)
})

test('rewrite: docker network create --subnet 10.77.0.0/16 --ip-range 10.77.5.0/24 N', () => {
  const { argv } = rewrite('docker network create --subnet 10.77.0.0/16 --ip-range 10.77.5.0/24 N', context())
  expect(argv).to.deep.equal([
    'network',
    'create',
    ...LABEL_ARGS,
    '--subnet=10.77.0.0/16',
    '--ip-range=10.77.5.0/24',
    `${PREFIX}-N`,
  ])
})

test('rewrite: docker network create with no name or two names throws', () => {
  expect(() => rewrite('docker network create -d bridge', context())).to.throw(/takes one name/)
  expect(() => rewrite('docker network create a b', context())).to.throw(/takes one name/)
})

test('rewrite: docker network connect bridge-web model', () => {
  const ctx = context()
  rewrite('docker network create bridge-web', ctx)
  rewrite('docker create --name model myrepo/web-model', ctx)
  const { argv, notes } = rewrite('docker network connect bridge-web model', ctx)
  expect(argv).to.deep.equal(['network', 'connect', `${PREFIX}-bridge-web`, `${PREFIX}-model`])
  expect(notes).to.deep.equal([])
})

test('rewrite: docker network connect with names the scenario does not know keeps them', () => {
  const { argv } = rewrite('docker network connect bridge-web model', context())
  expect(argv).to.deep.equal(['network', 'connect', 'bridge-web', 'model'])
})

test('rewrite: docker network connect --ip 10.77.5.9 N c1', () => {
  const ctx = context()
  rewrite('docker network create --subnet 10.77.0.0/16 --ip-range 10.77.5.0/24 N', ctx)
  rewrite('docker create --name c1 busybox', ctx)
  const { argv } = rewrite('docker network connect --ip 10.77.5.9 N c1', ctx)
  expect(argv).to.deep.equal(['network', 'connect', '--ip=10.77.5.9', `${PREFIX}-N`, `${PREFIX}-c1`])
})

test('rewrite: docker network connect to a fixed (target-provided) network uses its real name', () => {
  const ctx = context(new NameBook(PREFIX, { 'vic-containers': 'lab-cnet' }))
  rewrite('docker create --name c1 busybox', ctx)
  expect(rewrite('docker network connect vic-containers c1', ctx).argv).to.deep.equal([
    'network',
    'connect',
    'lab-cnet',
    `${PREFIX}-c1`,
  ])
  expect(rewrite('docker run --net vic-containers busybox', ctx).argv).to.include('--net=lab-cnet')
})

test('rewrite: docker network ls is unchanged', () => {
  expect(rewrite('docker network ls', context())).to.deep.equal({ argv: ['network', 'ls'], notes: [] })
  expect(rewrite('docker network ls --no-trunc', context()).argv).to.deep.equal(['network', 'ls', '--no-trunc'])
})

// ---------------------------------------------------------------- rewrite: the rest

test('rewrite: docker start model maps the name', () => {
  const ctx = context()
  rewrite('docker create -d --name model --net bridge-db myrepo/web-model', ctx)
  expect(rewrite('docker start model', ctx)).to.deep.equal({ argv: ['start', `${PREFIX}-model`], notes: [] })
})

test('rewrite: docker start <id> uses the aliased real id', () => {
  const ctx = context()
  ctx.names.alias('50', '50c0ffee1234')
  expect(rewrite('docker start 50', ctx).argv).to.deep.equal(['start', '50c0ffee1234'])
})

test('rewrite: other commands map their names and keep their options', () => {
  const ctx = context()
  rewrite('docker network create my-bridge-network', ctx)
  expect(rewrite('docker network inspect my-bridge-network', ctx).argv).to.deep.equal([
    'network',
    'inspect',
    `${PREFIX}-my-bridge-network`,
  ])
  expect(rewrite('docker network inspect bridge', ctx).argv).to.deep.equal(['network', 'inspect', 'bridge'])
  expect(rewrite('docker stop -t 1 unknown', ctx).argv).to.deep.equal(['stop', '-t', '1', 'unknown'])
})

test('rewrite: docker ps gets the run label filter and a note', () => {
  const { argv, notes } = rewrite('docker ps', context())
  expect(argv).to.deep.equal(['ps', '--filter', 'label=io.netconform.run=20250102T030405Z-a1b2c3'])
  expect(notes).to.have.length(1)
  expect(notes[0]).to.match(/^--filter added/)
})

test('rewrite: docker ps keeps its own options before the filter', () => {
  expect(rewrite('docker ps -a', context()).argv).to.deep.equal([
    'ps',
    '-a',
    '--filter',
    'label=io.netconform.run=20250102T030405Z-a1b2c3',
  ])
})

test('rewrite: a command that is not docker throws', () => {
  expect(() => rewrite('podman ps', context())).to.throw(/not a docker command: podman ps/)
  expect(() => rewrite('ls -l', context())).to.throw(/not a docker command/)
  expect(() => rewrite('', context())).to.throw(/not a docker command/)
})

test('rewrite: an unterminated quote in a documented command throws', () => {
  expect(() => rewrite('docker run --name "x busybox', context())).to.throw(/unterminated/)
})
