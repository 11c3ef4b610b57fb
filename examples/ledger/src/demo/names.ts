/** Names for demo customers: computing pioneers, so nobody real is a bank customer by accident. */
export const FIRST_NAMES = [
  'Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Dennis', 'Frances', 'Ken', 'Radia', 'John', 'Hedy', 'Tony', 'Karen',
  'Niklaus', 'Jean', 'Leslie', 'Sophie', 'Claude', 'Annie', 'Tim', 'Mary', 'Bjarne', 'Adele', 'Guido', 'Evelyn', 'Linus', 'Joan', 'Butler',
] as const;

export const LAST_NAMES = [
  'Lovelace', 'Turing', 'Hopper', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Ritchie', 'Allen', 'Thompson', 'Perlman', 'McCarthy', 'Lamarr',
  'Hoare', 'Jones', 'Wirth', 'Bartik', 'Lamport', 'Wilson', 'Shannon', 'Easley', 'Berners-Lee', 'Keller', 'Stroustrup', 'Goldberg', 'van Rossum',
  'Boyd', 'Torvalds', 'Clarke', 'Lampson',
] as const;

export const SHOPS = ['groceries', 'coffee', 'train ticket', 'bookshop', 'pharmacy', 'cinema', 'bakery', 'hardware store', 'restaurant', 'electricity bill', 'phone bill', 'taxi'] as const;
