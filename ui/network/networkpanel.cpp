// SPDX-License-Identifier: GPL-3.0-or-later
#include "networkpanel.h"

#include "authbox.h"
#include "sip/message/message.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHostAddress>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace ladder::ui {

namespace {

const QStringList kRuleMethods { QStringLiteral("OPTIONS"), QStringLiteral("REGISTER"), QStringLiteral("INVITE"),
    QStringLiteral("BYE"), QStringLiteral("other") };

enum Column { ColMethod, ColFrom, ColSource, ColLeft, ColCount };

QComboBox* makeRuleBox(QWidget* parent, const AnswerRule& current)
{
    auto* box = new QComboBox(parent);
    box->addItem(QObject::tr("Hold for me"), QStringLiteral("hold"));
    box->addItem(QObject::tr("200 OK"), QStringLiteral("200"));
    box->addItem(QObject::tr("180, then 200 after 3 s"), QStringLiteral("180+200:3"));
    box->addItem(QObject::tr("180, then 200 after 10 s"), QStringLiteral("180+200:10"));
    box->addItem(QObject::tr("486 Busy Here"), QStringLiteral("486"));
    box->addItem(QObject::tr("603 Decline"), QStringLiteral("603"));
    box->addItem(QObject::tr("403 Forbidden"), QStringLiteral("403"));
    const int i = box->findData(current.toString());
    if (i >= 0)
        box->setCurrentIndex(i);
    else {
        box->addItem(current.toString(), current.toString());
        box->setCurrentIndex(box->count() - 1);
    }
    return box;
}

} // namespace

NetworkPanel::NetworkPanel(QWidget* parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("networkPanel"));
    qRegisterMetaType<ladder::ui::AnswerRules>();
    qRegisterMetaType<ladder::ui::ManualAnswer>();
    qRegisterMetaType<QList<ladder::ui::ListenerSpec>>();
    m_confirm = [this](const QString& question) {
        return QMessageBox::question(this, tr("Listen beyond this host?"), question, QMessageBox::Yes | QMessageBox::No,
                   QMessageBox::No)
            == QMessageBox::Yes;
    };

    QSettings settings;
    const QStringList saved = settings.value(QStringLiteral("network/listeners")).toStringList();
    if (settings.contains(QStringLiteral("network/listeners"))) {
        for (const QString& t : saved) {
            ListenerSpec s;
            QString error;
            if (ListenerSpec::parse(t, &s, &error))
                m_specs << s;
        }
    } else {
        m_specs = ListenerSpec::defaults();
    }

    auto* box = new QVBoxLayout(this);

    // Listeners and the mode.
    auto* listenGroup = new QGroupBox(tr("SIP listeners"), this);
    auto* lg = new QVBoxLayout(listenGroup);
    m_listenerList = new QListWidget(listenGroup);
    m_listenerList->setObjectName(QStringLiteral("networkListeners"));
    m_listenerList->setMaximumHeight(64);
    lg->addWidget(m_listenerList);
    auto* addRow = new QHBoxLayout;
    m_newListener = new QLineEdit(listenGroup);
    m_newListener->setObjectName(QStringLiteral("networkNewListener"));
    m_newListener->setPlaceholderText(QStringLiteral("udp:127.0.0.1:5062"));
    m_newListener->setToolTip(tr("PROTO:HOST:PORT — udp, tcp, tls, ws or wss. TLS and WSS serve the certificate and key "
                                 "named after the address (tls:127.0.0.1:5061 cert=FILE key=FILE, PEM), or a self-signed "
                                 "one for localhost, 127.0.0.1, ::1 and HOST"));
    m_add = new QPushButton(tr("Add"), listenGroup);
    m_remove = new QPushButton(tr("Remove"), listenGroup);
    addRow->addWidget(m_newListener, 1);
    addRow->addWidget(m_add);
    addRow->addWidget(m_remove);
    lg->addLayout(addRow);
    auto* modeRow = new QHBoxLayout;
    m_start = new QPushButton(tr("Start network mode"), listenGroup);
    m_start->setObjectName(QStringLiteral("networkStart"));
    m_start->setToolTip(tr("Stop the lab and listen on these addresses: every view shows the network stack's traffic"));
    m_trustAny = new QCheckBox(tr("Trust any TLS certificate"), listenGroup);
    m_trustAny->setToolTip(tr("For lab work with self-signed peers: verification still runs, its errors are journalled, then ignored"));
    m_trustAny->setChecked(settings.value(QStringLiteral("network/trustAny"), false).toBool());
    modeRow->addWidget(m_start);
    modeRow->addWidget(m_trustAny);
    modeRow->addStretch(1);
    lg->addLayout(modeRow);
    m_state = new QLabel(tr("Off: the lab is running (nothing is bound)."), listenGroup);
    m_state->setObjectName(QStringLiteral("networkState"));
    m_state->setWordWrap(true);
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    lg->addWidget(m_state);
    // A TLS/WSS peer whose certificate was refused: the reason, and trust for that peer only.
    m_tlsProblem = new QLabel(listenGroup);
    m_tlsProblem->setObjectName(QStringLiteral("networkTlsProblem"));
    m_tlsProblem->setWordWrap(true);
    m_tlsProblem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_tlsProblem->hide();
    lg->addWidget(m_tlsProblem);
    auto* tlsRow = new QHBoxLayout;
    m_tlsTrust = new QPushButton(listenGroup);
    m_tlsTrust->setObjectName(QStringLiteral("networkTlsTrust"));
    m_tlsTrust->setToolTip(tr("For lab work: trust this certificate (its SHA-256 digest) at this address only; another "
                              "certificate there is refused again. Kept in the settings"));
    m_tlsTrust->hide();
    m_tlsForget = new QPushButton(listenGroup);
    m_tlsForget->setObjectName(QStringLiteral("networkTlsForget"));
    tlsRow->addWidget(m_tlsTrust);
    tlsRow->addWidget(m_tlsForget);
    tlsRow->addStretch(1);
    lg->addLayout(tlsRow);
    {
        const QVariantMap saved = settings.value(QStringLiteral("network/tlsTrust")).toMap();
        for (auto it = saved.begin(); it != saved.end(); ++it) {
            const QByteArray digest = QByteArray::fromHex(it.value().toString().toLatin1());
            if (digest.size() == 32)
                m_trustedPeers.insert(it.key(), digest);
        }
    }
    auto updateForget = [this] {
        m_tlsForget->setText(tr("Forget trusted certificates (%1)").arg(m_trustedPeers.size()));
        m_tlsForget->setVisible(!m_trustedPeers.isEmpty());
        QStringList peers;
        for (auto it = m_trustedPeers.begin(); it != m_trustedPeers.end(); ++it)
            peers << QStringLiteral("%1 — SHA-256 %2").arg(it.key(), QString::fromLatin1(it.value().toHex(':')));
        m_tlsForget->setToolTip(peers.join(QLatin1Char('\n')));
    };
    updateForget();
    auto storeTrust = [this, updateForget] {
        QVariantMap map;
        for (auto it = m_trustedPeers.begin(); it != m_trustedPeers.end(); ++it)
            map.insert(it.key(), QString::fromLatin1(it.value().toHex()));
        QSettings().setValue(QStringLiteral("network/tlsTrust"), map);
        updateForget();
        emit trustedPeersChanged(m_trustedPeers);
    };
    connect(m_tlsTrust, &QPushButton::clicked, this, [this, storeTrust] {
        const QByteArray digest = QByteArray::fromHex(m_refusedDigest.toLatin1());
        if (m_refusedPeer.isEmpty() || digest.size() != 32)
            return;
        m_trustedPeers.insert(m_refusedPeer, digest);
        m_tlsProblem->setText(tr("TLS %1: this certificate (SHA-256 %2) is now trusted for %1; send again.")
                                  .arg(m_refusedPeer, QString::fromLatin1(digest.toHex(':'))));
        m_tlsTrust->hide();
        storeTrust();
    });
    connect(m_tlsForget, &QPushButton::clicked, this, [this, storeTrust] {
        m_trustedPeers.clear();
        m_tlsProblem->hide();
        storeTrust();
    });
    box->addWidget(listenGroup);

    // SCTP over UDP encapsulation (RFC 6951), bound with the listeners at Start.
    {
        QJsonObject saved;
        settings.beginGroup(QStringLiteral("network/sctp"));
        for (const QString& key : settings.childKeys())
            saved.insert(key, QJsonValue::fromVariant(settings.value(key)));
        settings.endGroup();
        const SctpEndpointSpec spec = SctpEndpointSpec::fromJson(saved);
        m_sctpGroup = new QGroupBox(tr("SCTP over UDP (RFC 6951)"), this);
        m_sctpGroup->setObjectName(QStringLiteral("networkSctp"));
        m_sctpGroup->setCheckable(true);
        m_sctpGroup->setToolTip(tr("An SCTP endpoint on this host, its packets in UDP datagrams (RFC 6951) as usrsctp and "
                                   "ladderctl send and listen sctp use them: the SCTP composer sends to real peers"));
        auto* sf = new QFormLayout(m_sctpGroup);
        auto* local = new QHBoxLayout;
        m_sctpHost = new QLineEdit(m_sctpGroup);
        m_sctpHost->setObjectName(QStringLiteral("networkSctpHost"));
        m_sctpHost->setToolTip(tr("The local UDP address (127.0.0.1, ::1; another address is asked about)"));
        m_sctpLocalUdp = new QSpinBox(m_sctpGroup);
        m_sctpLocalUdp->setObjectName(QStringLiteral("networkSctpLocalUdp"));
        m_sctpLocalUdp->setRange(0, 65535);
        m_sctpLocalUdp->setPrefix(tr("UDP "));
        m_sctpLocalUdp->setSpecialValueText(tr("UDP any"));
        m_sctpLocalUdp->setToolTip(tr("The local UDP encapsulation port (9899 is usrsctp's; 0: any free port)"));
        m_sctpPort = new QSpinBox(m_sctpGroup);
        m_sctpPort->setObjectName(QStringLiteral("networkSctpPort"));
        m_sctpPort->setRange(0, 65535);
        m_sctpPort->setPrefix(tr("SCTP "));
        m_sctpPort->setSpecialValueText(tr("SCTP ephemeral"));
        m_sctpPort->setToolTip(tr("The local SCTP port (0: an ephemeral one)"));
        local->addWidget(m_sctpHost, 1);
        local->addWidget(m_sctpLocalUdp);
        local->addWidget(m_sctpPort);
        sf->addRow(tr("Local"), local);
        auto* remote = new QHBoxLayout;
        m_sctpRemoteUdp = new QSpinBox(m_sctpGroup);
        m_sctpRemoteUdp->setObjectName(QStringLiteral("networkSctpRemoteUdp"));
        m_sctpRemoteUdp->setRange(1, 65535);
        m_sctpRemoteUdp->setPrefix(tr("peers' UDP "));
        m_sctpRemoteUdp->setToolTip(tr("The UDP encapsulation port peers listen on (9899 by default)"));
        m_sctpStyle = new QComboBox(m_sctpGroup);
        m_sctpStyle->setObjectName(QStringLiteral("networkSctpStyle"));
        m_sctpStyle->addItem(tr("one-to-many"), QStringLiteral("one-to-many"));
        m_sctpStyle->addItem(tr("one-to-one"), QStringLiteral("one-to-one"));
        m_sctpStyle->setToolTip(tr("SOCK_SEQPACKET (a send to a new address sets an association up) or SOCK_STREAM (connect "
                                   "first: a send on a socket that is not connected is ENOTCONN)"));
        m_sctpListen = new QCheckBox(tr("Listen"), m_sctpGroup);
        m_sctpListen->setObjectName(QStringLiteral("networkSctpListen"));
        remote->addWidget(m_sctpRemoteUdp);
        remote->addWidget(m_sctpStyle);
        remote->addWidget(m_sctpListen);
        remote->addStretch(1);
        sf->addRow(tr("Peers"), remote);
        auto* connectRow = new QHBoxLayout;
        m_sctpPeer = new QLineEdit(m_sctpGroup);
        m_sctpPeer->setObjectName(QStringLiteral("networkSctpPeer"));
        m_sctpPeer->setPlaceholderText(QStringLiteral("127.0.0.1:5001"));
        m_sctpPeer->setToolTip(tr("The SCTP peer's HOST:PORT: connected to at Start, or with Connect while running (empty: none)"));
        m_sctpConnect = new QPushButton(tr("Connect"), m_sctpGroup);
        m_sctpConnect->setObjectName(QStringLiteral("networkSctpConnect"));
        m_sctpConnect->setEnabled(false);
        connectRow->addWidget(m_sctpPeer, 1);
        connectRow->addWidget(m_sctpConnect);
        sf->addRow(tr("Connect to"), connectRow);
        m_sctpState = new QLabel(m_sctpGroup);
        m_sctpState->setObjectName(QStringLiteral("networkSctpState"));
        m_sctpState->setWordWrap(true);
        m_sctpState->setTextInteractionFlags(Qt::TextSelectableByMouse);
        sf->addRow(m_sctpState);
        setSctpSpec(spec);
        connect(m_sctpGroup, &QGroupBox::toggled, this, [this] { sctpEdited(); });
        for (QSpinBox* b : { m_sctpLocalUdp, m_sctpRemoteUdp, m_sctpPort })
            connect(b, &QSpinBox::valueChanged, this, [this] { sctpEdited(); });
        connect(m_sctpStyle, &QComboBox::currentIndexChanged, this, [this] { sctpEdited(); });
        connect(m_sctpListen, &QCheckBox::toggled, this, [this] { sctpEdited(); });
        connect(m_sctpPeer, &QLineEdit::editingFinished, this, [this] { sctpEdited(); });
        connect(m_sctpHost, &QLineEdit::editingFinished, this, [this] {
            const QString host = m_sctpHost->text().trimmed();
            SctpEndpointSpec probe;
            probe.host = host;
            if (host != m_sctpHostAccepted && !probe.loopback() && QHostAddress().setAddress(host)
                && !m_confirm(tr("SCTP on %1 is not limited to this host: any host that can reach it can set up associations "
                                 "with LadderLab once network mode starts.\n\nUse %1?")
                                  .arg(host))) {
                const QSignalBlocker block(m_sctpHost);
                m_sctpHost->setText(m_sctpHostAccepted);
                return;
            }
            m_sctpHostAccepted = host;
            sctpEdited();
        });
        connect(m_sctpConnect, &QPushButton::clicked, this, [this] {
            const QString peer = m_sctpPeer->text().trimmed();
            if (peer.isEmpty()) {
                showSctpEvent(tr("EINVAL: give the SCTP peer's HOST:PORT to connect to"));
                return;
            }
            emit sctpConnectRequested(peer);
        });
        box->addWidget(m_sctpGroup);
    }

    // Rules.
    auto* rulesGroup = new QGroupBox(tr("Auto-answer"), this);
    auto* rf = new QFormLayout(rulesGroup);
    const AnswerRules defaults = AnswerRules::defaults();
    for (const QString& m : kRuleMethods) {
        AnswerRule r = m == QLatin1String("other") ? defaults.other : defaults.ruleFor(m);
        AnswerRule::parse(settings.value(QStringLiteral("network/rules/") + m, r.toString()).toString(), &r);
        QComboBox* c = makeRuleBox(rulesGroup, r);
        c->setObjectName(QStringLiteral("networkRule") + m);
        m_rules.insert(m, c);
        rf->addRow(m == QLatin1String("other") ? tr("Other methods") : m, c);
        connect(c, &QComboBox::currentIndexChanged, this, [this] {
            saveSettings();
            emit rulesChanged(rules());
        });
    }
    m_giveUp = new QSpinBox(rulesGroup);
    m_giveUp->setObjectName(QStringLiteral("networkGiveUp"));
    m_giveUp->setRange(2, 31);
    m_giveUp->setSuffix(tr(" s"));
    m_giveUp->setValue(settings.value(QStringLiteral("network/giveUpSeconds"), defaults.giveUpSeconds).toInt());
    m_giveUp->setToolTip(tr("A held request is answered 480 Temporarily Unavailable after this long (journalled), before the "
                            "client's Timer B/F (64·T1 = 32 s) would give up on it silently"));
    rf->addRow(tr("Held: 480 after"), m_giveUp);
    connect(m_giveUp, &QSpinBox::valueChanged, this, [this] {
        saveSettings();
        emit rulesChanged(rules());
    });
    // Digest as a UAS: challenge these methods, accept one account.
    m_challengeMethods = new QLineEdit(settings.value(QStringLiteral("network/uasAuth/methods")).toString(), rulesGroup);
    m_challengeMethods->setObjectName(QStringLiteral("networkChallengeMethods"));
    m_challengeMethods->setPlaceholderText(tr("REGISTER INVITE (empty: none)"));
    m_challengeMethods->setToolTip(tr("Requests of these methods are answered 401 with a Digest challenge (realm \"ladderlab\", "
                                      "the algorithm chosen beside, qop=auth) until their credentials verify; then their rule "
                                      "above applies"));
    m_challengeAlgorithm = new QComboBox(rulesGroup);
    m_challengeAlgorithm->setObjectName(QStringLiteral("networkChallengeAlgorithm"));
    m_challengeAlgorithm->addItem(QStringLiteral("MD5"), UasAuth::algorithmsName(UasAuth::Algorithms::Md5));
    m_challengeAlgorithm->addItem(QStringLiteral("SHA-256"), UasAuth::algorithmsName(UasAuth::Algorithms::Sha256));
    m_challengeAlgorithm->addItem(tr("SHA-256 and MD5"), UasAuth::algorithmsName(UasAuth::Algorithms::Both));
    m_challengeAlgorithm->setToolTip(tr("The Digest algorithm of the challenge. \"SHA-256 and MD5\" sends two WWW-Authenticate "
                                        "headers, SHA-256 first (RFC 8760): a client answers the strongest it knows, and "
                                        "either verifies"));
    {
        const int i = m_challengeAlgorithm->findData(UasAuth::algorithmsName(
            UasAuth::algorithmsFromName(settings.value(QStringLiteral("network/uasAuth/algorithm")).toString())));
        m_challengeAlgorithm->setCurrentIndex(std::max(0, i));
    }
    auto* challengeRow = new QHBoxLayout;
    challengeRow->addWidget(m_challengeMethods, 1);
    challengeRow->addWidget(m_challengeAlgorithm);
    rf->addRow(tr("Challenge"), challengeRow);
    connect(m_challengeAlgorithm, &QComboBox::currentIndexChanged, this, [this] {
        saveSettings();
        emit rulesChanged(rules());
    });
    auto* accountRow = new QHBoxLayout;
    m_challengeUser = new QLineEdit(settings.value(QStringLiteral("network/uasAuth/user")).toString(), rulesGroup);
    m_challengeUser->setObjectName(QStringLiteral("networkChallengeUser"));
    m_challengeUser->setPlaceholderText(tr("user"));
    m_challengePassword = new QLineEdit(rulesGroup);
    m_challengePassword->setObjectName(QStringLiteral("networkChallengePassword"));
    m_challengePassword->setEchoMode(QLineEdit::Password);
    m_challengePassword->setPlaceholderText(tr("password"));
    m_challengePassword->setToolTip(tr("Kept for this session only, never in the settings"));
    accountRow->addWidget(m_challengeUser);
    accountRow->addWidget(m_challengePassword);
    rf->addRow(tr("Accept"), accountRow);
    for (QLineEdit* e : { m_challengeMethods, m_challengeUser, m_challengePassword })
        connect(e, &QLineEdit::editingFinished, this, [this] {
            saveSettings();
            emit rulesChanged(rules());
        });

    // The queue and the answer.
    auto* waitGroup = new QGroupBox(tr("Waiting for you"), this);
    auto* wg = new QVBoxLayout(waitGroup);
    m_waiting = new QTableWidget(0, ColCount, waitGroup);
    m_waiting->setObjectName(QStringLiteral("networkWaiting"));
    m_waiting->setHorizontalHeaderLabels({ tr("Method"), tr("From"), tr("Source"), tr("Left") });
    m_waiting->horizontalHeader()->setSectionResizeMode(ColFrom, QHeaderView::Stretch);
    m_waiting->verticalHeader()->hide();
    m_waiting->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_waiting->setSelectionMode(QAbstractItemView::SingleSelection);
    m_waiting->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_waiting->setMinimumHeight(90);
    m_waiting->setWordWrap(false);
    m_waiting->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    wg->addWidget(m_waiting);
    m_request = new QPlainTextEdit(waitGroup);
    m_request->setReadOnly(true);
    m_request->setObjectName(QStringLiteral("networkRequest"));
    m_request->setPlaceholderText(tr("The selected request, as received (control characters escaped)"));
    m_request->setMaximumHeight(110);
    m_request->setFont(QFont(QStringLiteral("monospace")));
    wg->addWidget(m_request);
    auto* af = new QFormLayout;
    m_status = new QComboBox(waitGroup);
    m_status->setObjectName(QStringLiteral("networkAnswerStatus"));
    for (int code : { 100, 180, 183, 200, 202, 401, 403, 404, 407, 480, 486, 487, 488, 500, 503, 603 })
        m_status->addItem(QStringLiteral("%1 %2").arg(code).arg(QString::fromLatin1(sip::Message::defaultReason(code))), code);
    m_status->setCurrentIndex(m_status->findData(486));
    m_reason = new QLineEdit(waitGroup);
    m_reason->setObjectName(QStringLiteral("networkAnswerReason"));
    m_reason->setPlaceholderText(tr("the standard phrase"));
    connect(m_status, &QComboBox::currentIndexChanged, this, [this] { m_reason->clear(); });
    auto* statusRow = new QHBoxLayout;
    statusRow->addWidget(m_status);
    statusRow->addWidget(m_reason, 1);
    af->addRow(tr("Status"), statusRow);
    m_headers = new QPlainTextEdit(waitGroup);
    m_headers->setObjectName(QStringLiteral("networkAnswerHeaders"));
    m_headers->setPlaceholderText(tr("Extra headers, one per line (Retry-After: 30). 401/407 get a Digest challenge unless you write one."));
    m_headers->setMaximumHeight(52);
    af->addRow(tr("Headers"), m_headers);
    m_body = new QPlainTextEdit(waitGroup);
    m_body->setObjectName(QStringLiteral("networkAnswerBody"));
    m_body->setPlaceholderText(tr("Body (application/sdp), optional"));
    m_body->setMaximumHeight(70);
    m_body->setFont(QFont(QStringLiteral("monospace")));
    m_sdp = new QPushButton(tr("SDP"), waitGroup);
    m_sdp->setToolTip(tr("An audio answer (PCMU/PCMA on port 40000) from the template"));
    auto* bodyRow = new QHBoxLayout;
    bodyRow->addWidget(m_body, 1);
    bodyRow->addWidget(m_sdp, 0, Qt::AlignTop);
    af->addRow(tr("Body"), bodyRow);
    wg->addLayout(af);
    auto* answerRow = new QHBoxLayout;
    m_answer = new QPushButton(tr("Answer"), waitGroup);
    m_answer->setObjectName(QStringLiteral("networkAnswer"));
    m_answer->setEnabled(false);
    m_result = new QLabel(waitGroup);
    m_result->setObjectName(QStringLiteral("networkResult"));
    m_result->setWordWrap(true);
    answerRow->addWidget(m_answer);
    answerRow->addWidget(m_result, 1);
    wg->addLayout(answerRow);
    m_credentialsCheck = new QLabel(waitGroup);
    m_credentialsCheck->setObjectName(QStringLiteral("networkCredentialsCheck"));
    m_credentialsCheck->setWordWrap(true);
    m_credentialsCheck->setTextFormat(Qt::PlainText);
    m_credentialsCheck->setToolTip(tr("A 401/407 you answer carries the Challenge line's challenge (its algorithm, realm "
                                      "\"ladderlab\"); the request resent with credentials is checked against its Accept account"));
    m_credentialsCheck->hide();
    wg->addWidget(m_credentialsCheck);
    box->addWidget(waitGroup, 1);
    m_auth = new AuthBox(this);
    box->addWidget(m_auth);
    box->addWidget(rulesGroup);

    m_tick = new QTimer(this);
    m_tick->setInterval(500);
    connect(m_tick, &QTimer::timeout, this, &NetworkPanel::tick);

    connect(m_add, &QPushButton::clicked, this, [this] {
        QString error;
        if (addListener(m_newListener->text(), &error))
            m_newListener->clear();
        else
            showResult(false, QStringLiteral("EINVAL"), error);
    });
    connect(m_newListener, &QLineEdit::returnPressed, m_add, &QPushButton::click);
    connect(m_remove, &QPushButton::clicked, this, [this] { removeListener(m_listenerList->currentRow()); });
    connect(m_start, &QPushButton::clicked, this, [this] {
        if (m_running)
            emit stopRequested();
        else
            emit startRequested(m_specs);
    });
    connect(m_trustAny, &QCheckBox::toggled, this, [this](bool on) {
        saveSettings();
        emit trustChanged(on);
    });
    connect(m_waiting, &QTableWidget::itemSelectionChanged, this, &NetworkPanel::selectionChanged);
    connect(m_sdp, &QPushButton::clicked, this, [this] {
        m_body->setPlainText(QStringLiteral("v=0\no=ladderlab 1 1 IN IP4 127.0.0.1\ns=LadderLab\nc=IN IP4 127.0.0.1\nt=0 0\n"
                                            "m=audio 40000 RTP/AVP 0 8\na=rtpmap:0 PCMU/8000\na=rtpmap:8 PCMA/8000\na=sendrecv\n"));
    });
    connect(m_answer, &QPushButton::clicked, this, [this] {
        const QList<QTableWidgetItem*> sel = m_waiting->selectedItems();
        if (sel.isEmpty())
            return;
        ManualAnswer a;
        a.transaction = m_waiting->item(sel.first()->row(), ColMethod)->data(Qt::UserRole).toULongLong();
        a.status = m_status->currentData().toInt();
        a.reason = m_reason->text().trimmed();
        a.headers = m_headers->toPlainText();
        QString body = m_body->toPlainText();
        if (!body.isEmpty()) {
            body.replace(QLatin1String("\r\n"), QLatin1String("\n"));
            if (!body.endsWith(QLatin1Char('\n')))
                body += QLatin1Char('\n');
            body.replace(QLatin1Char('\n'), QLatin1String("\r\n"));
        }
        a.body = body.toUtf8();
        emit answerRequested(a);
    });

    refreshListeners();
}

QComboBox* NetworkPanel::ruleBox(const QString& method) const
{
    return m_rules.value(method);
}

AnswerRules NetworkPanel::rules() const
{
    AnswerRules r;
    r.byMethod.clear();
    for (auto it = m_rules.begin(); it != m_rules.end(); ++it) {
        AnswerRule rule;
        if (!AnswerRule::parse(it.value()->currentData().toString(), &rule))
            continue;
        if (it.key() == QLatin1String("other"))
            r.other = rule;
        else
            r.byMethod.insert(it.key(), rule);
    }
    r.giveUpSeconds = m_giveUp->value();
    static const QRegularExpression separators(QStringLiteral("[\\s,]+"));
    for (const QString& m : m_challengeMethods->text().split(separators, Qt::SkipEmptyParts))
        r.auth.methods << m.toUpper();
    r.auth.user = m_challengeUser->text().trimmed();
    r.auth.password = m_challengePassword->text();
    r.auth.algorithms = UasAuth::algorithmsFromName(m_challengeAlgorithm->currentData().toString());
    return r;
}

bool NetworkPanel::trustAnyCertificate() const
{
    return m_trustAny->isChecked();
}

bool NetworkPanel::addListener(const QString& text, QString* error)
{
    ListenerSpec s;
    if (!ListenerSpec::parse(text, &s, error))
        return false;
    if (m_specs.contains(s)) {
        *error = tr("%1 is already in the list").arg(s.toString());
        return false;
    }
    if (!s.isLoopback()
        && !m_confirm(tr("%1 is not a loopback address: any host that can reach it can send SIP to LadderLab, which "
                         "answers by your rules and journals what it gets. Faults in a stack listening on a real "
                         "network are exposed to everyone on it.\n\nListen on %1?")
                          .arg(s.toString()))) {
        *error = tr("%1 not added (not a loopback address, declined)").arg(s.toString());
        return false;
    }
    m_specs << s;
    m_transient = false;
    refreshListeners();
    saveSettings();
    return true;
}

void NetworkPanel::removeListener(int row)
{
    if (row < 0 || row >= m_specs.size())
        return;
    m_specs.removeAt(row);
    m_transient = false;
    refreshListeners();
    saveSettings();
}

QJsonObject NetworkPanel::state() const
{
    // The user's list (the saved one while --listen's is shown).
    QJsonArray listeners;
    if (m_transient) {
        QSettings settings;
        if (settings.contains(QStringLiteral("network/listeners"))) {
            for (const QString& t : settings.value(QStringLiteral("network/listeners")).toStringList())
                listeners.append(t);
        } else {
            for (const ListenerSpec& l : ListenerSpec::defaults())
                listeners.append(l.toString());
        }
    } else {
        for (const ListenerSpec& l : m_specs)
            listeners.append(l.toString());
    }
    QJsonObject rules;
    for (auto it = m_rules.begin(); it != m_rules.end(); ++it)
        rules.insert(it.key(), it.value()->currentData().toString());
    return QJsonObject { { QStringLiteral("listeners"), listeners }, { QStringLiteral("rules"), rules },
        { QStringLiteral("giveUpSeconds"), m_giveUp->value() }, { QStringLiteral("trustAny"), m_trustAny->isChecked() },
        { QStringLiteral("challengeMethods"), m_challengeMethods->text().trimmed() },
        { QStringLiteral("challengeUser"), m_challengeUser->text().trimmed() },
        { QStringLiteral("challengeAlgorithm"), m_challengeAlgorithm->currentData().toString() },
        { QStringLiteral("sctp"), sctpSpec().toJson() } };
}

void NetworkPanel::restoreState(const QJsonObject& state)
{
    if (state.isEmpty())
        return;
    if (state.contains(QStringLiteral("listeners"))) {
        QList<ListenerSpec> specs;
        QStringList refused;
        for (const QJsonValue& v : state.value(QStringLiteral("listeners")).toArray()) {
            ListenerSpec s;
            QString error;
            if (!ListenerSpec::parse(v.toString(), &s, &error)) {
                refused << error;
                continue;
            }
            if (specs.contains(s))
                continue;
            if (!s.isLoopback() && !m_specs.contains(s)
                && !m_confirm(tr("The session lists %1, which is not a loopback address: any host that can reach it can "
                                 "send SIP to LadderLab once network mode starts.\n\nKeep %1 in the listeners?")
                                  .arg(s.toString()))) {
                refused << tr("%1 left out (not a loopback address, declined)").arg(s.toString());
                continue;
            }
            specs << s;
        }
        m_specs = specs;
        m_transient = false;
        refreshListeners();
        if (!refused.isEmpty())
            showResult(false, QStringLiteral("EINVAL"), tr("session listeners: %1").arg(refused.join(QStringLiteral("; "))));
    }
    const QJsonObject saved = state.value(QStringLiteral("rules")).toObject();
    for (auto it = saved.begin(); it != saved.end(); ++it)
        if (QComboBox* box = m_rules.value(it.key())) {
            AnswerRule r;
            if (!AnswerRule::parse(it.value().toString(), &r))
                continue;
            int i = box->findData(r.toString());
            if (i < 0) {
                box->addItem(r.toString(), r.toString());
                i = box->count() - 1;
            }
            const QSignalBlocker block(box);
            box->setCurrentIndex(i);
        }
    if (state.contains(QStringLiteral("giveUpSeconds"))) {
        const QSignalBlocker block(m_giveUp);
        m_giveUp->setValue(state.value(QStringLiteral("giveUpSeconds")).toInt(m_giveUp->value()));
    }
    if (state.contains(QStringLiteral("trustAny"))) {
        const QSignalBlocker block(m_trustAny);
        m_trustAny->setChecked(state.value(QStringLiteral("trustAny")).toBool());
    }
    m_challengeMethods->setText(state.value(QStringLiteral("challengeMethods")).toString(m_challengeMethods->text()));
    m_challengeUser->setText(state.value(QStringLiteral("challengeUser")).toString(m_challengeUser->text()));
    if (state.contains(QStringLiteral("challengeAlgorithm"))) {
        const QSignalBlocker block(m_challengeAlgorithm);
        const int i = m_challengeAlgorithm->findData(
            UasAuth::algorithmsName(UasAuth::algorithmsFromName(state.value(QStringLiteral("challengeAlgorithm")).toString())));
        m_challengeAlgorithm->setCurrentIndex(std::max(0, i));
    }
    if (state.contains(QStringLiteral("sctp"))) {
        SctpEndpointSpec spec = SctpEndpointSpec::fromJson(state.value(QStringLiteral("sctp")).toObject());
        // A file may come from anyone: an SCTP address beyond this host is asked about.
        if (!spec.loopback() && spec.host != m_sctpHostAccepted
            && !m_confirm(tr("The session's SCTP endpoint is on %1, which is not a loopback address: any host that can "
                             "reach it can set up associations with LadderLab once network mode starts.\n\nKeep %1?")
                              .arg(spec.host))) {
            showResult(false, QStringLiteral("EINVAL"), tr("session SCTP endpoint: %1 left out (not a loopback address, declined); 127.0.0.1 instead").arg(spec.host));
            spec.host = QStringLiteral("127.0.0.1");
        }
        setSctpSpec(spec);
        sctpEdited();
    }
    saveSettings();
    emit rulesChanged(rules());
    emit trustChanged(m_trustAny->isChecked());
}

void NetworkPanel::setListeners(const QList<ListenerSpec>& specs)
{
    // From --listen: shown while it runs, not saved — and not recorded as the user's list either.
    if (specs != m_specs)
        m_transient = true;
    m_specs = specs;
    refreshListeners();
}

void NetworkPanel::refreshListeners()
{
    m_listenerList->clear();
    for (const ListenerSpec& s : m_specs) {
        auto* item = new QListWidgetItem(s.toString(), m_listenerList);
        if (!s.isLoopback())
            item->setToolTip(tr("Reachable from other hosts"));
    }
    updateStartEnabled();
    if (m_running)
        m_state->setText(m_state->text() + QLatin1Char(' ') + tr("(list changed: Stop and Start to apply)"));
}

void NetworkPanel::saveSettings() const
{
    QSettings settings;
    if (!m_transient) { // --listen's list is never saved
        QStringList list;
        for (const ListenerSpec& s : m_specs)
            list << s.toString();
        settings.setValue(QStringLiteral("network/listeners"), list);
    }
    for (auto it = m_rules.begin(); it != m_rules.end(); ++it)
        settings.setValue(QStringLiteral("network/rules/") + it.key(), it.value()->currentData().toString());
    settings.setValue(QStringLiteral("network/giveUpSeconds"), m_giveUp->value());
    settings.setValue(QStringLiteral("network/trustAny"), m_trustAny->isChecked());
    settings.setValue(QStringLiteral("network/uasAuth/methods"), m_challengeMethods->text().trimmed());
    settings.setValue(QStringLiteral("network/uasAuth/user"), m_challengeUser->text().trimmed());
    settings.setValue(QStringLiteral("network/uasAuth/algorithm"), m_challengeAlgorithm->currentData().toString());
    const QJsonObject sctp = sctpSpec().toJson();
    for (auto it = sctp.begin(); it != sctp.end(); ++it)
        settings.setValue(QStringLiteral("network/sctp/") + it.key(), it.value().toVariant());
}

SctpEndpointSpec NetworkPanel::sctpSpec() const
{
    SctpEndpointSpec s;
    s.enabled = m_sctpGroup->isChecked();
    s.host = m_sctpHost->text().trimmed();
    s.localUdpPort = quint16(m_sctpLocalUdp->value());
    s.remoteUdpPort = quint16(m_sctpRemoteUdp->value());
    s.sctpPort = quint16(m_sctpPort->value());
    s.oneToMany = m_sctpStyle->currentData().toString() != QLatin1String("one-to-one");
    s.listen = m_sctpListen->isChecked();
    s.connectTo = m_sctpPeer->text().trimmed();
    return s;
}

void NetworkPanel::setSctpSpec(const SctpEndpointSpec& spec)
{
    const QSignalBlocker b1(m_sctpGroup), b2(m_sctpHost), b3(m_sctpLocalUdp), b4(m_sctpRemoteUdp), b5(m_sctpPort), b6(m_sctpStyle),
        b7(m_sctpListen), b8(m_sctpPeer);
    m_sctpGroup->setChecked(spec.enabled);
    m_sctpHost->setText(spec.host);
    m_sctpHostAccepted = spec.host;
    m_sctpLocalUdp->setValue(spec.localUdpPort);
    m_sctpRemoteUdp->setValue(std::max<int>(1, spec.remoteUdpPort));
    m_sctpPort->setValue(spec.sctpPort);
    m_sctpStyle->setCurrentIndex(spec.oneToMany ? 0 : 1);
    m_sctpListen->setChecked(spec.listen);
    m_sctpPeer->setText(spec.connectTo);
    if (m_start)
        updateStartEnabled();
}

void NetworkPanel::sctpEdited()
{
    saveSettings();
    updateStartEnabled();
    if (!m_running && m_sctpGroup->isChecked()) {
        const QString why = sctpSpec().validate();
        m_sctpState->setText(why.isEmpty() ? tr("Bound at Start: %1").arg(sctpSpec().describe()) : tr("Cannot start: %1").arg(why));
    } else if (!m_running) {
        m_sctpState->setText(tr("Off."));
    }
}

void NetworkPanel::updateStartEnabled()
{
    m_start->setEnabled(m_running || !m_specs.isEmpty() || m_sctpGroup->isChecked());
}

void NetworkPanel::showTlsRefusal(const QString& peer, const QString& why, const QString& digestHex, const QString& subject)
{
    m_refusedPeer = peer;
    m_refusedDigest = digestHex;
    const QString digest = QString::fromLatin1(QByteArray::fromHex(digestHex.toLatin1()).toHex(':'));
    m_tlsProblem->setText(tr("TLS %1 refused: %2. Certificate %3, SHA-256 %4.")
                              .arg(peer, escapeNetworkText(why.toUtf8(), 300), subject.isEmpty() ? tr("without a subject") : tr("of “%1”").arg(subject), digest));
    m_tlsProblem->setStyleSheet(QStringLiteral("color: #c62828"));
    m_tlsProblem->show();
    m_tlsTrust->setText(tr("Trust this certificate for %1").arg(peer));
    m_tlsTrust->show();
}

void NetworkPanel::showSctpEvent(const QString& text)
{
    // Texts from the engine carry escaped network bytes already; this one line is all it shows.
    m_sctpState->setText(text);
}

void NetworkPanel::setRunning(bool running, const QStringList& bound, const QString& error)
{
    m_running = running;
    const bool sctpOn = m_sctpGroup->isChecked();
    m_start->setText(running ? tr("Stop network mode") : tr("Start network mode"));
    updateStartEnabled();
    for (QWidget* w : { static_cast<QWidget*>(m_sctpHost), static_cast<QWidget*>(m_sctpLocalUdp), static_cast<QWidget*>(m_sctpRemoteUdp),
             static_cast<QWidget*>(m_sctpPort), static_cast<QWidget*>(m_sctpStyle), static_cast<QWidget*>(m_sctpListen) })
        w->setEnabled(!running); // bound at Start: a change takes effect at the next
    m_sctpConnect->setEnabled(running && sctpOn);
    if (running && sctpOn)
        m_sctpState->setText(tr("On: %1").arg(bound.filter(QStringLiteral("SCTP ")).join(QStringLiteral("; "))));
    else if (!running)
        sctpEdited();
    QStringList sip = bound;
    sip.removeIf([](const QString& b) { return b.startsWith(QLatin1String("SCTP ")); });
    if (running)
        m_state->setText(sip.isEmpty() ? tr("On: no SIP listener; %1").arg(bound.join(QStringLiteral(", ")))
                                       : tr("On: listening on %1").arg(bound.join(QStringLiteral(", "))));
    else if (!error.isEmpty())
        m_state->setText(tr("Could not start: %1").arg(error));
    else
        m_state->setText(tr("Off: the lab is running (nothing is bound)."));
    if (running)
        m_tick->start();
    else
        m_tick->stop();
}

int NetworkPanel::rowOf(quint64 transaction) const
{
    for (int r = 0; r < m_waiting->rowCount(); ++r)
        if (m_waiting->item(r, ColMethod)->data(Qt::UserRole).toULongLong() == transaction)
            return r;
    return -1;
}

void NetworkPanel::addWaiting(const WaitingRequest& w)
{
    m_requests.insert(w.transaction, w);
    const int row = m_waiting->rowCount();
    m_waiting->insertRow(row);
    auto* method = new QTableWidgetItem(w.method);
    method->setData(Qt::UserRole, w.transaction);
    method->setToolTip(w.credentials.isEmpty() ? w.requestLine : w.requestLine + QLatin1Char('\n') + w.credentials);
    if (!w.credentials.isEmpty())
        method->setText(w.method + QStringLiteral(" (") + w.credentials + QLatin1Char(')'));
    m_waiting->setItem(row, ColMethod, method);
    auto* from = new QTableWidgetItem(w.from);
    from->setToolTip(tr("From: %1\nTo: %2\nCall-ID: %3").arg(w.from, w.to, w.callId));
    m_waiting->setItem(row, ColFrom, from);
    m_waiting->setItem(row, ColSource, new QTableWidgetItem(w.source));
    m_waiting->setItem(row, ColLeft, new QTableWidgetItem);
    tick();
    if (m_waiting->selectedItems().isEmpty())
        m_waiting->selectRow(row);
}

void NetworkPanel::removeWaiting(quint64 transaction, const QString& how)
{
    const WaitingRequest w = m_requests.take(transaction);
    const int row = rowOf(transaction);
    if (row >= 0)
        m_waiting->removeRow(row);
    if (!w.method.isEmpty())
        m_result->setText(tr("%1 from %2: %3").arg(w.method, w.source, how));
    if (m_waiting->rowCount() > 0 && m_waiting->selectedItems().isEmpty())
        m_waiting->selectRow(0);
    selectionChanged();
}

void NetworkPanel::showCredentialsCheck(quint64, bool ok, const QString& text)
{
    m_credentialsCheck->setText(ok ? tr("Accepted: %1").arg(text) : tr("Refused: %1").arg(text));
    QPalette p = m_credentialsCheck->palette();
    p.setColor(QPalette::WindowText, ok ? QColor(0x2e, 0x7d, 0x32) : QColor(0xd5, 0x5e, 0x00));
    m_credentialsCheck->setPalette(p);
    m_credentialsCheck->show();
}

void NetworkPanel::showResult(bool ok, const QString& errnoName, const QString& text)
{
    m_result->setText(ok ? text : QStringLiteral("%1: %2").arg(errnoName, text));
    QPalette p = m_result->palette();
    p.setColor(QPalette::WindowText, ok ? palette().color(QPalette::WindowText) : QColor(0xd5, 0x5e, 0x00));
    m_result->setPalette(p);
}

void NetworkPanel::selectionChanged()
{
    const QList<QTableWidgetItem*> sel = m_waiting->selectedItems();
    m_answer->setEnabled(!sel.isEmpty());
    if (sel.isEmpty()) {
        m_request->clear();
        return;
    }
    const quint64 tx = m_waiting->item(sel.first()->row(), ColMethod)->data(Qt::UserRole).toULongLong();
    m_request->setPlainText(m_requests.value(tx).text);
}

void NetworkPanel::tick()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (int r = 0; r < m_waiting->rowCount(); ++r) {
        const quint64 tx = m_waiting->item(r, ColMethod)->data(Qt::UserRole).toULongLong();
        const qint64 left = qMax<qint64>(0, m_requests.value(tx).deadlineMs - now);
        if (QTableWidgetItem* item = m_waiting->item(r, ColLeft)) {
            item->setText(tr("%1 s").arg((left + 999) / 1000));
            item->setToolTip(tr("Answered by the rule or with 480 when this runs out"));
        }
    }
}

} // namespace ladder::ui
