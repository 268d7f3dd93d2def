import type { ConnectCatalogue } from './en';

/** Die Verbindungsseite auf Deutsch (Sie-Form; Kunden sind keine Techniker). */
export const de: ConnectCatalogue = {
  'page.title': '{org} Fernsupport',
  'brand.logoAlt': 'Logo von {brand}',
  'headline.open': '{org} Fernsupport — ein Techniker ist gleich für Sie da',
  'headline.connected': '{org} Fernsupport — Ihr Computer ist verbunden',
  'headline.closed': '{org} Fernsupport',
  'language.label': 'Sprache',

  'status.label': 'Status:',
  'status.waiting': 'Wartet',
  'status.active': 'Verbunden',
  'status.ended': 'Beendet',
  'status.explain.waiting':
    'Laden Sie unten das Support-Programm herunter und starten Sie es. Diese Seite aktualisiert sich von selbst.',
  'status.explain.active': 'Ihr Computer ist verbunden. Ihr Techniker kann Ihnen jetzt helfen.',
  'status.explain.ended':
    'Diese Support-Sitzung ist vorbei, über sie kann sich niemand mehr mit Ihrem Computer verbinden. Sie können diese Seite schließen. Wenn Sie weiterhin Hilfe brauchen, bitten Sie {org} um einen neuen Link.',
  'status.technician': 'Ihr Techniker:',
  'status.device': 'Verbundener Computer:',

  'who.heading': 'Wer sich mit Ihrem Computer verbindet',
  'who.named': '{name} von {org}',
  'who.anyone': 'Ein Techniker von {org}',
  'who.connects': '{who} verbindet sich, um Ihnen zu helfen.',
  'who.canDo': 'Sobald Sie das Support-Programm starten, kann er oder sie:',
  'ability.screen': 'Ihren Bildschirm sehen',
  'ability.control': 'Ihre Maus und Tastatur steuern',
  'ability.terminal': 'auf Ihrem Computer ein Terminal öffnen (ein Fenster, in das man Befehle tippt)',
  'ability.commands': 'Befehle auf Ihrem Computer ausführen',
  'ability.files': 'Ihre Dateien sehen und Dateien auf und von Ihrem Computer kopieren',
  'who.askFirst':
    'Ihr Computer fragt Sie vorher, jedes Mal: Es passiert nichts, bevor Sie es dort erlauben. Sie können jederzeit abbrechen.',
  'who.scam':
    'Fahren Sie nur fort, wenn Sie sich selbst an {org} gewandt haben. {org} ruft Sie niemals unaufgefordert an.',

  'downloads.heading': 'Support-Programm herunterladen',
  'downloads.osGroup': 'Betriebssystem Ihres Computers',
  'downloads.osHint': 'Wählen Sie das Betriebssystem Ihres Computers.',
  'downloads.link': '{file} herunterladen',
  'downloads.steps.windows':
    'Drücken Sie gleichzeitig die Windows-Taste und R, fügen Sie den Befehl ein und drücken Sie dann Strg+Umschalt+Eingabe, damit er als Administrator läuft. Bestätigen Sie mit Ja.',
  'downloads.steps.macos':
    'Öffnen Sie das Terminal (Programme › Dienstprogramme › Terminal), fügen Sie den Befehl ein und drücken Sie den Zeilenschalter. Geben Sie Ihr Mac-Passwort ein, wenn danach gefragt wird; es wird beim Tippen nicht angezeigt.',
  'downloads.steps.linux':
    'Öffnen Sie ein Terminal, fügen Sie den Befehl ein und drücken Sie die Eingabetaste. Geben Sie Ihr Passwort ein, wenn sudo danach fragt.',
  'downloads.otherFolder':
    'Hat Ihr Browser die Datei in einem anderen Ordner oder unter einem anderen Namen gespeichert, passen Sie den Pfad im Befehl entsprechend an.',
  'downloads.copy': 'Kopieren',
  'downloads.copied': 'Kopiert',
  'downloads.alreadyConnected':
    'Mit dieser Support-Sitzung ist bereits ein Computer verbunden. Gehen Sie zurück zur Support-Seite.',

  'phone.heading': 'Öffnen Sie diesen Link auf dem Computer, der Hilfe braucht',
  'phone.explain':
    'Das Support-Programm läuft auf einem Computer mit Windows, macOS oder Linux. Auf einem Handy oder Tablet lässt es sich nicht installieren.',
  'phone.email': 'Damit der Link auf Ihren Computer kommt, können Sie ihn sich selbst per E-Mail schicken:',
  'phone.emailLink': 'Diesen Link an mich selbst mailen',
  'phone.mailSubject': 'Link für den Fernsupport von {org}',
  'phone.mailBody': 'Öffnen Sie diesen Link auf dem Computer, der Hilfe braucht: {url}',
  'phone.computer': 'Sie sind doch an einem Computer? Wählen Sie sein Betriebssystem:',

  'notes.heading': 'Nachrichten mit Ihrem Techniker',
  'notes.label': 'Beschreiben Sie das Problem oder alles, was Ihr Techniker wissen sollte.',
  'notes.send': 'Senden',
  'chat.list': 'Nachrichten',
  'chat.empty': 'Noch keine Nachrichten. Die Antworten Ihres Technikers erscheinen hier.',
  'chat.you': 'Sie',
  'chat.technician': 'Ihr Techniker',
  'chat.full':
    'In dieser Sitzung können keine weiteren Nachrichten gesendet werden: Sie enthält bereits so viele, wie möglich sind. Wenn Sie weiter Hilfe brauchen, kann Ihr Techniker eine neue Sitzung starten.',
  'notes.sent': 'Ihre Nachricht wurde an den Techniker gesendet.',
  'notes.failed': 'Die Nachricht konnte nicht gesendet werden.',
  'notes.offline': 'Die Nachricht konnte nicht gesendet werden. Prüfen Sie Ihre Internetverbindung.',
  'notes.empty': 'Schreiben Sie zuerst eine Nachricht.',
  'notes.tooLong': 'Eine Nachricht darf höchstens {max} Zeichen lang sein.',
  'notes.invalid': 'Die Nachricht konnte nicht gelesen werden. Bitte tippen Sie sie noch einmal.',
  'notes.rate': 'Sie haben in kurzer Zeit viele Nachrichten gesendet. Bitte warten Sie ein paar Minuten.',

  'ended.heading': 'Diese Support-Sitzung ist beendet',
  'ended.text':
    'Ihr Techniker hat die Sitzung geschlossen. Das Support-Programm ist nicht mehr verbunden und entfernt sich selbst von Ihrem Computer. Sie können diese Seite schließen.',
  'expired.heading': 'Dieser Support-Link ist abgelaufen',
  'expired.text':
    'Support-Links gelten nur für begrenzte Zeit, und die Zeit für diesen Link ist abgelaufen. Über ihn lässt sich nichts mehr herunterladen oder verbinden.',
  'invalid.heading': 'Dieser Support-Link funktioniert nicht',
  'invalid.text':
    'Vielleicht ist der Link unvollständig: Prüfen Sie, ob Sie den ganzen Link aus der erhaltenen Nachricht geöffnet haben.',
  'closed.next':
    'Wenn Sie weiterhin Hilfe brauchen, wenden Sie sich an {org} und bitten Sie um einen neuen Link.',
  'rate.heading': 'Bitte warten Sie einen Moment',
  'rate.text':
    'Aus Ihrem Netzwerk kamen zu viele Anfragen. Versuchen Sie es in {seconds} Sekunden noch einmal.',
};
