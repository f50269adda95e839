// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "sip/snapshot.h"

#include <QWidget>

namespace ladder::ui {

// The RFC 3261 §17 state machine of one transaction (with RFC 6026's Accepted state), drawn small:
// every state and transition of its kind, the path this transaction took lit and numbered with the
// time of each step, the current state filled, and the timers armed now with their countdown.
class StateMachineView : public QWidget {
    Q_OBJECT
public:
    struct Node {
        QString state;
        double x = 0, y = 0; // grid position (columns, rows)
    };
    struct Edge {
        QString from, to, label;
    };
    struct Machine {
        QString kind; // "INVITE client"…
        QList<Node> nodes;
        QList<Edge> edges;
    };
    // The four machines; an unknown kind gives an empty machine.
    static Machine machine(const QString& kind);

    explicit StateMachineView(QWidget* parent = nullptr);

    void setTransaction(const sip::TransactionSnapshot& transaction, qint64 nowNs);
    void clear();
    bool isEmpty() const { return m_tx.id == 0; }
    // Edges of the machine the transaction has taken, in order (tests check the path).
    QList<Edge> path() const;
    QString currentState() const { return m_tx.state; }

    QSize sizeHint() const override { return { 420, 170 }; }
    QSize minimumSizeHint() const override { return { 260, 120 }; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    sip::TransactionSnapshot m_tx;
    Machine m_machine;
    qint64 m_nowNs = 0;
};

} // namespace ladder::ui
