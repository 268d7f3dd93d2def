import type { ConnectCatalogue } from './en';

/** La page de connexion en français (vouvoiement ; les clients ne sont pas techniciens). */
export const fr: ConnectCatalogue = {
  'page.title': 'Assistance à distance {org}',
  'brand.logoAlt': 'Logo de {brand}',
  'headline.open': 'Assistance à distance {org} — un technicien va vous aider dans un instant',
  'headline.connected': 'Assistance à distance {org} — votre ordinateur est connecté',
  'headline.closed': 'Assistance à distance {org}',
  'language.label': 'Langue',

  'status.label': 'État :',
  'status.waiting': 'En attente',
  'status.active': 'Connecté',
  'status.ended': 'Terminé',
  'status.explain.waiting':
    'Téléchargez et lancez l’outil d’assistance ci-dessous. Cette page se met à jour toute seule.',
  'status.explain.active': 'Votre ordinateur est connecté. Votre technicien peut maintenant vous aider.',
  'status.explain.ended':
    'Cette session d’assistance est terminée : plus personne ne peut se connecter à votre ordinateur par son intermédiaire. Vous pouvez fermer cette page. Si vous avez encore besoin d’aide, demandez un nouveau lien à {org}.',
  'status.technician': 'Votre technicien :',
  'status.device': 'Ordinateur connecté :',

  'who.heading': 'Qui va se connecter à votre ordinateur',
  'who.named': '{name} de {org}',
  'who.anyone': 'Un technicien de {org}',
  'who.connects': '{who} va se connecter pour vous aider.',
  'who.canDo': 'Une fois l’outil d’assistance lancé, cette personne pourra :',
  'ability.screen': 'voir votre écran',
  'ability.control': 'contrôler votre souris et votre clavier',
  'ability.terminal': 'ouvrir un terminal (une fenêtre où l’on tape des commandes) sur votre ordinateur',
  'ability.commands': 'exécuter des commandes sur votre ordinateur',
  'ability.files': 'voir vos fichiers et copier des fichiers vers et depuis votre ordinateur',
  'who.askFirst':
    'Votre ordinateur vous demandera d’abord votre accord, à chaque fois : rien ne se passe tant que vous ne l’avez pas autorisé. Vous pouvez tout arrêter à tout moment.',
  'who.scam':
    'Ne continuez que si c’est vous qui avez contacté {org}. {org} ne vous appellera jamais sans que vous l’ayez demandé.',

  'downloads.heading': 'Obtenir l’outil d’assistance',
  'downloads.osGroup': 'Système d’exploitation de votre ordinateur',
  'downloads.osHint': 'Choisissez le système d’exploitation de votre ordinateur.',
  'downloads.link': 'Télécharger {file}',
  'downloads.steps.windows':
    'Appuyez en même temps sur la touche Windows et sur R, collez la commande, puis appuyez sur Ctrl+Maj+Entrée pour la lancer en tant qu’administrateur, et répondez Oui.',
  'downloads.steps.macos':
    'Ouvrez le Terminal (Applications › Utilitaires › Terminal), collez la commande et appuyez sur Retour. Tapez le mot de passe de votre Mac quand il est demandé ; il ne s’affiche pas pendant la saisie.',
  'downloads.steps.linux':
    'Ouvrez un terminal, collez la commande et appuyez sur Entrée. Tapez votre mot de passe quand sudo le demande.',
  'downloads.otherFolder':
    'Si votre navigateur a enregistré le fichier dans un autre dossier ou sous un autre nom, modifiez le chemin dans la commande en conséquence.',
  'downloads.copy': 'Copier',
  'downloads.copied': 'Copié',
  'downloads.alreadyConnected':
    'Un ordinateur est déjà connecté à cette session d’assistance. Revenez à la page d’assistance.',

  'phone.heading': 'Ouvrez ce lien sur l’ordinateur qui a besoin d’aide',
  'phone.explain':
    'L’outil d’assistance fonctionne sur un ordinateur Windows, Mac ou Linux. Il ne peut pas être installé sur un téléphone ni sur une tablette.',
  'phone.email': 'Pour retrouver le lien sur votre ordinateur, vous pouvez vous l’envoyer par e-mail :',
  'phone.emailLink': 'M’envoyer ce lien par e-mail',
  'phone.mailSubject': 'Lien pour l’assistance à distance {org}',
  'phone.mailBody': 'Ouvrez ce lien sur l’ordinateur qui a besoin d’aide : {url}',
  'phone.computer': 'Vous êtes finalement sur un ordinateur ? Choisissez son système d’exploitation :',

  'notes.heading': 'Messages avec votre technicien',
  'notes.label': 'Décrivez le problème ou tout ce que votre technicien devrait savoir.',
  'notes.send': 'Envoyer',
  'chat.list': 'Messages',
  'chat.empty': 'Pas encore de messages. Les réponses de votre technicien s’afficheront ici.',
  'chat.you': 'Vous',
  'chat.technician': 'Votre technicien',
  'chat.full':
    'Aucun autre message ne peut être envoyé dans cette session : elle en contient déjà le nombre maximal. Si vous avez encore besoin d’aide, votre technicien peut ouvrir une nouvelle session.',
  'notes.sent': 'Votre message a été envoyé au technicien.',
  'notes.failed': 'Le message n’a pas pu être envoyé.',
  'notes.offline': 'Le message n’a pas pu être envoyé. Vérifiez votre connexion.',
  'notes.empty': 'Écrivez un message avant de l’envoyer.',
  'notes.tooLong': 'Un message peut contenir au plus {max} caractères.',
  'notes.invalid': 'Le message n’a pas pu être lu. Veuillez le saisir à nouveau.',
  'notes.rate': 'Vous avez envoyé beaucoup de messages en peu de temps. Veuillez patienter quelques minutes.',

  'ended.heading': 'Cette session d’assistance est terminée',
  'ended.text':
    'Votre technicien a fermé cette session. L’outil d’assistance n’est plus connecté et se retire de votre ordinateur. Vous pouvez fermer cette page.',
  'expired.heading': 'Ce lien d’assistance a expiré',
  'expired.text':
    'Les liens d’assistance ne sont valables que pendant une durée limitée, et celui-ci n’est plus valable. Il ne permet plus de télécharger quoi que ce soit ni de se connecter.',
  'invalid.heading': 'Ce lien d’assistance ne fonctionne pas',
  'invalid.text':
    'Le lien est peut-être incomplet : vérifiez que vous avez ouvert le lien entier depuis le message que vous avez reçu.',
  'closed.next': 'Si vous avez encore besoin d’aide, contactez {org} et demandez un nouveau lien.',
  'rate.heading': 'Merci de patienter un instant',
  'rate.text': 'Votre réseau a envoyé trop de requêtes. Réessayez dans {seconds} secondes.',
};
